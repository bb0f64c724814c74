#include "lessons/catalog.h"

#include <map>
#include <stdexcept>

namespace pc::lessons {

std::string Format(const std::string& text, const Vars& vars) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '{') {
      const size_t close = text.find('}', i);
      if (close != std::string::npos) {
        auto it = vars.find(text.substr(i + 1, close - i - 1));
        if (it != vars.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

std::set<std::string> Placeholders(const std::string& text) {
  std::set<std::string> names;
  size_t i = 0;
  while ((i = text.find('{', i)) != std::string::npos) {
    const size_t close = text.find('}', i);
    if (close == std::string::npos) {
      break;
    }
    names.insert(text.substr(i + 1, close - i - 1));
    i = close + 1;
  }
  return names;
}

std::string PickLanguage(const std::string& flag, const char* lc_all, const char* lc_messages,
                         const char* lang) {
  std::string chosen = flag;
  for (const char* value : {lc_all, lc_messages, lang}) {
    if (chosen.empty() && value != nullptr) {
      chosen = value;
    }
  }
  return chosen.rfind("zh", 0) == 0 ? "zh" : "en";
}

const std::vector<std::string>& Languages() {
  static const std::vector<std::string> languages = {"en", "zh"};
  return languages;
}

namespace {

std::string Str(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) {
    throw std::runtime_error("lesson catalogue: " + where + " has no text '" + key + "'");
  }
  return j[key].get<std::string>();
}

std::string Lookup(const nlohmann::json& j, const char* section, const std::string& key,
                   const Vars& vars) {
  const auto& s = j[section];
  if (!s.contains(key) || !s[key].is_string()) {
    return "<" + key + ">";
  }
  return Format(s[key].get<std::string>(), vars);
}

// "where.key", the place of a text in a catalogue.
std::string Path(const std::string& where, const std::string& key) {
  std::string path = where;
  path += '.';
  path += key;
  return path;
}

void CompareTexts(const nlohmann::json& a, const nlohmann::json& b, const std::string& where,
                  std::vector<std::string>* out) {
  if (a.is_string() && b.is_string()) {
    if (Placeholders(a.get<std::string>()) != Placeholders(b.get<std::string>())) {
      out->push_back(where + ": the placeholders differ");
    }
    return;
  }
  if (a.type() != b.type()) {
    out->push_back(where + ": not the same kind of value");
    return;
  }
  if (a.is_object()) {
    for (const auto& [key, value] : a.items()) {
      const std::string at = Path(where, key);
      if (!b.contains(key)) {
        out->push_back(at + ": missing in the second");
      } else {
        CompareTexts(value, b[key], at, out);
      }
    }
    for (const auto& [key, value] : b.items()) {
      if (!a.contains(key)) {
        out->push_back(Path(where, key) + ": missing in the first");
      }
    }
  } else if (a.is_array()) {
    if (a.size() != b.size()) {
      out->push_back(where + ": " + std::to_string(a.size()) + " entries against " +
                     std::to_string(b.size()));
      return;
    }
    for (size_t i = 0; i < a.size(); ++i) {
      std::string at = where + "[" + std::to_string(i) + "]";
      // Lessons and steps are matched by their names, which stay untranslated.
      for (const char* id : {"name", "id"}) {
        if (a[i].is_object() && a[i].contains(id)) {
          at = where + "[" + a[i].value(id, "") + "]";
          if (a[i][id] != b[i].value(id, nlohmann::json())) {
            out->push_back(at + ": the second has '" + b[i].value(id, "") + "' here");
          }
        }
      }
      CompareTexts(a[i], b[i], at, out);
    }
  }
}

}  // namespace

Catalog::Catalog(const std::string& json_text) {
  try {
    json_ = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("lesson catalogue: ") + e.what());
  }
  for (const char* section : {"ui", "facts"}) {
    if (!json_.contains(section) || !json_[section].is_object()) {
      throw std::runtime_error(std::string("lesson catalogue: no '") + section + "' section");
    }
  }
  const nlohmann::json lessons = json_.value("lessons", nlohmann::json::array());
  for (const auto& l : lessons) {
    LessonText lesson;
    lesson.name = Str(l, "name", "a lesson");
    lesson.title = Str(l, "title", lesson.name);
    lesson.summary = Str(l, "summary", lesson.name);
    const nlohmann::json steps = l.value("steps", nlohmann::json::array());
    for (const auto& s : steps) {
      StepText step;
      step.id = Str(s, "id", lesson.name + " step");
      step.say = Str(s, "say", lesson.name + "." + step.id);
      step.predict = s.value("predict", "");
      lesson.steps.push_back(step);
    }
    const nlohmann::json facts = l.value("facts", nlohmann::json::object());
    for (const auto& [key, value] : facts.items()) {
      lesson.facts[key] = value.get<std::string>();
    }
    lessons_.push_back(lesson);
  }
}

const Catalog& Catalog::Get(const std::string& language) {
  static const std::map<std::string, Catalog> catalogs = [] {
    std::map<std::string, Catalog> all;
    for (const auto& lang : Languages()) {
      all.emplace(lang, Catalog(EmbeddedCatalog(lang)));
    }
    return all;
  }();
  auto it = catalogs.find(language);
  return it != catalogs.end() ? it->second : catalogs.at("en");
}

const LessonText* Catalog::Find(const std::string& name) const {
  for (const auto& l : lessons_) {
    if (l.name == name) {
      return &l;
    }
  }
  return nullptr;
}

std::string Catalog::Ui(const std::string& key, const Vars& vars) const {
  return Lookup(json_, "ui", key, vars);
}

std::string Catalog::Fact(const std::string& key, const Vars& vars) const {
  return Lookup(json_, "facts", key, vars);
}

std::vector<std::string> CompareCatalogs(const nlohmann::json& a, const nlohmann::json& b) {
  std::vector<std::string> out;
  nlohmann::json a_texts = a, b_texts = b;
  a_texts.erase("language");
  b_texts.erase("language");
  CompareTexts(a_texts, b_texts, "catalogue", &out);
  return out;
}

}  // namespace pc::lessons
