// The lessons: each a function that walks its steps on a LessonRun (lesson_run.h), in the order
// `pseudo-cluster lesson` lists them; their texts are in the catalogue (catalog.h) under the
// same names. ListLessons / ShowLesson / RunLesson are the three faces of the command; each
// returns the process exit code (0, 1 when a check failed, 2 for an unknown lesson, 130 after
// Ctrl-C).
#pragma once

#include <string>
#include <vector>

#include "lessons/lesson_run.h"

namespace pc::lessons {

struct LessonDef {
  const char* name;
  void (*run)(LessonRun&);
};

const std::vector<LessonDef>& AllLessons();

int ListLessons(const std::string& language);
int ShowLesson(const std::string& name, const std::string& language);
int RunLesson(const std::string& name, const LessonOptions& options);

// One function per lesson (lesson_*.cc).
void QuorumMath(LessonRun& r);
void StartupOrder(LessonRun& r);
void VoteOrder(LessonRun& r);
void LeaderFailover(LessonRun& r);
void QuorumLoss(LessonRun& r);
void BrainSplit(LessonRun& r);
void Observers(LessonRun& r);
void FourLetterWords(LessonRun& r);
void ClientsFailover(LessonRun& r);

}  // namespace pc::lessons
