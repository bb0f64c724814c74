// The lesson catalogues (src/lessons/catalog/*.json): both languages tell the same lessons with
// the same steps, keys and placeholders; and the pure pieces around them.
#include <gtest/gtest.h>

#include "lessons/catalog.h"
#include "lessons/lessons.h"

namespace pc::lessons {
namespace {

nlohmann::json Parsed(const std::string& language) {
  return nlohmann::json::parse(EmbeddedCatalog(language));
}

TEST(LessonCatalog, EnglishAndChineseHaveTheSameLessonsStepsKeysAndPlaceholders) {
  const std::vector<std::string> differences = CompareCatalogs(Parsed("en"), Parsed("zh"));
  EXPECT_TRUE(differences.empty()) << ::testing::PrintToString(differences);
}

TEST(LessonCatalog, EveryLessonInTheCodeHasItsTextsInEveryLanguageInTheSameOrder) {
  for (const auto& language : Languages()) {
    const Catalog& catalog = Catalog::Get(language);
    ASSERT_EQ(catalog.lessons().size(), AllLessons().size()) << language;
    for (size_t i = 0; i < AllLessons().size(); ++i) {
      EXPECT_EQ(catalog.lessons()[i].name, AllLessons()[i].name) << language;
      EXPECT_FALSE(catalog.lessons()[i].steps.empty()) << AllLessons()[i].name;
    }
  }
  EXPECT_EQ(AllLessons().size(), 9u);
}

TEST(LessonCatalog, CompareFindsAMissingStepAKeyAndAPlaceholder) {
  const nlohmann::json base = Parsed("en");
  nlohmann::json fewer_steps = base;
  fewer_steps["lessons"][0]["steps"].erase(0);
  EXPECT_FALSE(CompareCatalogs(base, fewer_steps).empty());

  nlohmann::json missing_key = base;
  missing_key["ui"].erase("header");
  EXPECT_FALSE(CompareCatalogs(base, missing_key).empty());

  nlohmann::json other_placeholder = base;
  other_placeholder["facts"]["leader_is"] = "node{who} leads";
  const auto differences = CompareCatalogs(base, other_placeholder);
  ASSERT_EQ(differences.size(), 1u);
  EXPECT_NE(differences[0].find("facts.leader_is"), std::string::npos) << differences[0];

  nlohmann::json renamed_step = base;
  renamed_step["lessons"][0]["steps"][0]["id"] = "other";
  EXPECT_FALSE(CompareCatalogs(base, renamed_step).empty());
}

TEST(LessonCatalog, FormatFillsNamedPlaceholdersAndLeavesUnknownOnes) {
  EXPECT_EQ(Format("node{id} leads epoch {epoch}", {{"id", "2"}, {"epoch", "1"}}),
            "node2 leads epoch 1");
  EXPECT_EQ(Format("{a} and {b}", {{"a", "x"}}), "x and {b}");
  EXPECT_EQ(Format("no braces", {{"a", "x"}}), "no braces");
  EXPECT_EQ(Placeholders("{a}, {b} and {a}"), (std::set<std::string>{"a", "b"}));
}

TEST(LessonCatalog, AMissingTextShowsItsKey) {
  const Catalog& catalog = Catalog::Get("en");
  EXPECT_EQ(catalog.Ui("no-such-key"), "<no-such-key>");
  EXPECT_EQ(catalog.Fact("leader_is", {{"id", "3"}}), "node3 is the leader");
  EXPECT_EQ(Catalog::Get("zh").Fact("leader_is", {{"id", "3"}}), "node3 是领导者");
}

TEST(LessonCatalog, MalformedCatalogueIsRefusedWithWhatIsWrong) {
  EXPECT_THROW(Catalog("{"), std::runtime_error);
  EXPECT_THROW(Catalog(R"({"ui": {}})"), std::runtime_error);
  EXPECT_THROW(Catalog(R"({"ui": {}, "facts": {}, "lessons": [{"name": "x"}]})"),
               std::runtime_error);
}

TEST(PickLanguage, FlagThenLcAllThenLcMessagesThenLang) {
  EXPECT_EQ(PickLanguage("", nullptr, nullptr, nullptr), "en");
  EXPECT_EQ(PickLanguage("", nullptr, nullptr, "zh_CN.UTF-8"), "zh");
  EXPECT_EQ(PickLanguage("", nullptr, nullptr, "en_US.UTF-8"), "en");
  EXPECT_EQ(PickLanguage("", "C", nullptr, "zh_CN.UTF-8"), "en");
  EXPECT_EQ(PickLanguage("", "", "zh_TW.UTF-8", "en_US.UTF-8"), "zh");
  EXPECT_EQ(PickLanguage("en", "zh_CN.UTF-8", nullptr, nullptr), "en");
  EXPECT_EQ(PickLanguage("zh", nullptr, nullptr, "C.UTF-8"), "zh");
}

}  // namespace
}  // namespace pc::lessons
