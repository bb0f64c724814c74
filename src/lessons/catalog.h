// Catalog: the texts of the lessons in one language — titles, narration, predictions, the facts a
// check compares and the ✔/✘ templates — read from src/lessons/catalog/<lang>.json, which CMake
// embeds into the binary (catalog_data.cc.in), so `pseudo-cluster lesson` works from any
// directory. The code holds the steps and the checks; every word a learner reads comes from here.
// Templates name their placeholders: "node{id} is the leader". Pure: no I/O.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace pc::lessons {

using Vars = std::map<std::string, std::string>;

// Replaces every {key} of `vars` in `text`; a placeholder without a value stays as written.
std::string Format(const std::string& text, const Vars& vars);
// The placeholder names in `text`: "{a} and {b}" -> {a, b}.
std::set<std::string> Placeholders(const std::string& text);

// "en" or "zh": `flag` (--lang) when given, else the first set of LC_ALL, LC_MESSAGES and LANG
// (POSIX's order); a value starting with "zh" picks Chinese, anything else English.
std::string PickLanguage(const std::string& flag, const char* lc_all, const char* lc_messages,
                         const char* lang);

// The languages shipped, and the embedded catalogue text of one ("" for an unknown language).
const std::vector<std::string>& Languages();
const char* EmbeddedCatalog(const std::string& language);

struct StepText {
  std::string id, say, predict;
};

struct LessonText {
  std::string name, title, summary;
  std::vector<StepText> steps;
  std::map<std::string, std::string> facts;  // the lesson's own facts, before the shared ones
};

class Catalog {
 public:
  // Parses a catalogue; throws std::runtime_error naming what is malformed.
  explicit Catalog(const std::string& json_text);
  // The embedded catalogue of `language` (Languages()).
  static const Catalog& Get(const std::string& language);

  const std::vector<LessonText>& lessons() const { return lessons_; }
  const LessonText* Find(const std::string& name) const;
  // ui.<key>, then facts.<key>, formatted; a missing key shows as "<key>" so a gap is visible.
  std::string Ui(const std::string& key, const Vars& vars = {}) const;
  std::string Fact(const std::string& key, const Vars& vars = {}) const;
  const nlohmann::json& json() const { return json_; }

 private:
  nlohmann::json json_;
  std::vector<LessonText> lessons_;
};

// Where two catalogues differ in shape: lessons, step ids and their order, keys, and the
// placeholders of every text. One line per difference; empty when they match.
std::vector<std::string> CompareCatalogs(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace pc::lessons
