#include "lessons/lessons.h"

#include <cstdio>

#include "lessons/zk_session.h"
#include "loadgen/zk_client.h"
#include "supervisor/interrupt.h"

namespace pc::lessons {

const std::vector<LessonDef>& AllLessons() {
  static const std::vector<LessonDef> lessons = {{"quorum-math", QuorumMath},
                                                 {"startup-order", StartupOrder},
                                                 {"vote-order", VoteOrder},
                                                 {"leader-failover", LeaderFailover},
                                                 {"quorum-loss", QuorumLoss},
                                                 {"brain-split", BrainSplit},
                                                 {"observers", Observers},
                                                 {"four-letter-words", FourLetterWords},
                                                 {"clients-failover", ClientsFailover}};
  return lessons;
}

namespace {

const LessonDef* FindDef(const std::string& name) {
  for (const auto& def : AllLessons()) {
    if (name == def.name) {
      return &def;
    }
  }
  return nullptr;
}

void PrintList(std::FILE* out, const Catalog& catalog) {
  for (const auto& def : AllLessons()) {
    const LessonText* text = catalog.Find(def.name);
    std::fprintf(out, "  %-18s %s\n", def.name, text != nullptr ? text->summary.c_str() : "");
  }
}

// Exit code 2 and the list, for a name that is no lesson.
int Unknown(const std::string& name, const Catalog& catalog) {
  std::fprintf(stderr, "pseudo-cluster: %s\n",
               catalog.Ui("unknown_lesson", {{"name", name}}).c_str());
  PrintList(stderr, catalog);
  return 2;
}

}  // namespace

int ListLessons(const std::string& language) {
  const Catalog& catalog = Catalog::Get(language);
  std::printf("%s\n", catalog.Ui("list_header").c_str());
  PrintList(stdout, catalog);
  std::printf("%s\n", catalog.Ui("list_footer").c_str());
  return 0;
}

int ShowLesson(const std::string& name, const std::string& language) {
  const Catalog& catalog = Catalog::Get(language);
  const LessonText* text = catalog.Find(name);
  if (FindDef(name) == nullptr || text == nullptr) {
    return Unknown(name, catalog);
  }
  std::printf("%s\n%s\n", catalog.Ui("header", {{"name", name}, {"title", text->title}}).c_str(),
              text->summary.c_str());
  int n = 0;
  for (const auto& step : text->steps) {
    std::printf("\n[%d/%zu] %s\n", ++n, text->steps.size(), step.say.c_str());
    if (!step.predict.empty()) {
      std::printf("%s\n", catalog.Ui("prediction", {{"text", step.predict}}).c_str());
    }
  }
  std::printf("\n%s\n", catalog.Ui("show_footer", {{"name", name}}).c_str());
  return 0;
}

int RunLesson(const std::string& name, const LessonOptions& options) {
  const Catalog& catalog = Catalog::Get(options.language);
  const LessonDef* def = FindDef(name);
  const LessonText* text = catalog.Find(name);
  if (def == nullptr || text == nullptr) {
    return Unknown(name, catalog);
  }
  CatchInterrupts();
  // The C client logs every refused connection; a learner reads the checks instead.
  loadgen::RedirectClientLog("/dev/null");
  std::printf("%s\n%s\n", catalog.Ui("header", {{"name", name}, {"title", text->title}}).c_str(),
              text->summary.c_str());
  int failed = 0, checks = 0, rc = 0;
  {
    LessonRun run(*text, catalog, options);
    try {
      def->run(run);
    } catch (const LessonInterrupted&) {
      std::printf("\n%s\n", catalog.Ui("interrupted").c_str());
      rc = 130;
    } catch (const std::exception& e) {  // LessonAborted, or a fault of the lesson itself
      std::printf("\n%s\n", catalog.Ui("aborted", {{"reason", e.what()}}).c_str());
      rc = 1;
    }
    std::printf("\n");
    run.Down();
    failed = run.failed_checks();
    checks = run.checks();
  }
  if (rc == 130) {
    return rc;
  }
  const std::string n = std::to_string(checks), bad = std::to_string(failed);
  if (failed > 0) {
    std::printf("%s\n", catalog.Ui("summary_failed", {{"checks", n}, {"failed", bad}}).c_str());
    return 1;
  }
  if (rc != 0) {
    return rc;  // the lesson stopped early; the reason is printed above
  }
  std::printf("%s\n", catalog.Ui("summary_ok", {{"checks", n}}).c_str());
  return 0;
}

}  // namespace pc::lessons
