// four-letter-words: the admin words a member answers, and the whitelist that refuses the rest.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "lessons/lessons.h"

namespace pc::lessons {

namespace {

struct Word {
  const char* word;
  const char* expect;  // a piece of text every answer of this word has
};

// Rewrites the 4lw.commands.whitelist line of a zoo.cfg; false when it cannot.
bool SetWhitelist(const std::string& path, const std::string& words) {
  std::ifstream in(path);
  if (!in) {
    return false;
  }
  std::ostringstream out;
  std::string line;
  bool found = false;
  while (std::getline(in, line)) {
    if (line.rfind("4lw.commands.whitelist=", 0) == 0) {
      line = "4lw.commands.whitelist=" + words;
      found = true;
    }
    out << line << "\n";
  }
  if (!found) {
    out << "4lw.commands.whitelist=" << words << "\n";
  }
  in.close();
  std::ofstream(path) << out.str();
  return true;
}

}  // namespace

void FourLetterWords(LessonRun& r) {
  r.Step("up");
  r.Up(3);
  r.WaitLeader();

  const Word words[] = {{"ruok", "imok"},        {"srvr", "Mode: "},  {"stat", "Clients:"},
                        {"conf", "clientPort="}, {"cons", "queued="}, {"mntr", "zk_server_state"},
                        {"isro", "rw"}};
  for (const auto& w : words) {
    r.Step(w.word);
    const std::string answer = r.ShowFourLetter(1, w.word, 14);
    const bool ok = answer.find(w.expect) != std::string::npos;
    r.Check(ok, r.Fact("answer_has", {{"word", w.word}, {"text", w.expect}}),
            answer.empty() ? r.Fact("no_answer_from", {{"word", w.word}})
                           : r.Fact(ok ? "answer_has" : "answer_lacks",
                                    {{"word", w.word}, {"text", w.expect}}));
  }

  r.Step("whitelist");
  const std::string cfg = r.cluster_dir() + "/node1/zoo.cfg";
  std::printf("$ sed -i 's/^4lw.commands.whitelist=.*/4lw.commands.whitelist=srvr, ruok/' %s\n",
              cfg.c_str());
  if (!SetWhitelist(cfg, "srvr, ruok")) {
    throw LessonAborted(cfg);
  }
  r.MustPc({"restart", "1"});
  r.WaitLeader();
  const std::string refusal = "stat is not executed because it is not in the whitelist.";
  const std::string answer = r.ShowFourLetter(1, "stat");
  const bool refused = answer.find(refusal) != std::string::npos;
  r.Check(refused, r.Fact("refused", {{"word", "stat"}}),
          refused ? r.Fact("refused", {{"word", "stat"}})
                  : r.Fact("answer_lacks", {{"word", "stat"}, {"text", refusal}}));
  const std::string srvr = r.ShowFourLetter(1, "srvr", 3);
  const bool still = srvr.find("Mode: ") != std::string::npos;
  r.Check(still, r.Fact("answer_has", {{"word", "srvr"}, {"text", "Mode: "}}),
          r.Fact(still ? "answer_has" : "answer_lacks", {{"word", "srvr"}, {"text", "Mode: "}}));
}

}  // namespace pc::lessons
