// `pseudo-cluster lesson`: the tutorials' lessons as guided, checked runs (src/lessons).
//   lesson                 the list
//   lesson show NAME       the steps and predictions, without running anything
//   lesson NAME            run it (also `lesson run NAME`)
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/command.h"
#include "lessons/catalog.h"
#include "lessons/lessons.h"
#include "supervisor/cluster_spec.h"

namespace pc::cli {

namespace {

constexpr int kBadUsage = 2;

struct LessonArgs {
  std::vector<std::string> words;  // [], [NAME], [run NAME], [show NAME], [list]
  std::string lang;
  lessons::LessonOptions options;
};

int CmdLesson(LessonArgs& a) {
  const std::string language = lessons::PickLanguage(
      a.lang, std::getenv("LC_ALL"), std::getenv("LC_MESSAGES"), std::getenv("LANG"));
  a.options.language = language;
  if (!a.options.base_ports.empty() && !ParseBasePorts(a.options.base_ports)) {
    Fail("lesson --base-ports '" + a.options.base_ports +
         "': expected client,quorum,election, e.g. 12000,18000,24000");
    return kBadUsage;
  }
  const auto& w = a.words;
  if (w.empty() || (w.size() == 1 && w[0] == "list")) {
    return lessons::ListLessons(language);
  }
  if (w.size() == 2 && w[0] == "show") {
    return lessons::ShowLesson(w[1], language);
  }
  if (w.size() == 2 && w[0] == "run") {
    return lessons::RunLesson(w[1], a.options);
  }
  if (w.size() == 1) {
    return lessons::RunLesson(w[0], a.options);
  }
  Fail("lesson: expected `lesson`, `lesson NAME`, `lesson run NAME` or `lesson show NAME`");
  return kBadUsage;
}

}  // namespace

void AddLessonCommand(CLI::App& app, CommandRun* chosen) {
  auto* lesson = app.add_subcommand(
      "lesson", "the tutorials' lessons, run step by step on a cluster of their own");
  auto a = std::make_shared<LessonArgs>();
  lesson->add_option("WORDS", a->words, "NAME, run NAME, show NAME; nothing lists the lessons")
      ->expected(0, 2);
  lesson->add_option("--engine", a->options.engine, "zkd (default) or apache")
      ->check(CLI::IsMember({"zkd", "apache"}));
  lesson->add_flag("-y,--yes", a->options.yes, "run straight through, without waiting for Enter");
  lesson->add_option("--lang", a->lang, "en or zh (default: from LC_ALL, LC_MESSAGES, LANG)")
      ->check(CLI::IsMember({"en", "zh"}));
  lesson->add_option("--tick-time", a->options.tick_time_ms, "tickTime in ms (default 200)")
      ->check(CLI::Range(50, 5000));
  lesson->add_option("--base-ports", a->options.base_ports,
                     "client,quorum,election bases (default: free ones picked at random)");
  // For the lessons' own tests: a run whose prediction must fail (vote-order).
  lesson->add_flag("--planted-bug", a->options.planted_bug, "")->group("");
  Finish(lesson, chosen, [a] { return CmdLesson(*a); });
}

}  // namespace pc::cli
