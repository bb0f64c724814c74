#include "server/jaas_file.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace zk {
namespace {

constexpr size_t kJaasBytesMax = 1 << 20;  // a login config is a few lines; refuse a huge file

struct Token {
  enum class Kind { kEnd, kWord, kQuoted, kPunct, kBad };
  Kind kind = Kind::kEnd;
  std::string text;
  int line = 1;
};

// Java's ConfigFile tokenizer in small: words, "quoted strings", the punctuation { } ; =, and
// // or /* */ comments.
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : text_(text) {}

  Token Next() {
    SkipSpaceAndComments();
    Token t;
    t.line = line_;
    if (pos_ >= text_.size()) return t;
    char c = text_[pos_];
    if (c == '{' || c == '}' || c == ';' || c == '=') {
      t.kind = Token::Kind::kPunct;
      t.text = std::string(1, c);
      ++pos_;
    } else if (c == '"') {
      t.kind = Quoted(&t.text) ? Token::Kind::kQuoted : Token::Kind::kBad;
    } else {
      t.kind = Token::Kind::kWord;
      while (pos_ < text_.size() && !IsSpace(text_[pos_]) &&
             std::strchr("{};=\"", text_[pos_]) == nullptr) {
        t.text += text_[pos_++];
      }
    }
    return t;
  }

 private:
  static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  void SkipSpaceAndComments() {
    while (pos_ < text_.size()) {
      if (IsSpace(text_[pos_])) {
        if (text_[pos_] == '\n') ++line_;
        ++pos_;
      } else if (text_.compare(pos_, 2, "//") == 0) {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (text_.compare(pos_, 2, "/*") == 0) {
        size_t end = text_.find("*/", pos_ + 2);
        end = end == std::string_view::npos ? text_.size() : end + 2;
        for (size_t i = pos_; i < end; ++i) line_ += text_[i] == '\n';
        pos_ = end;
      } else {
        return;
      }
    }
  }

  bool Quoted(std::string* out) {
    ++pos_;  // the opening quote
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\n') return false;
      if (c == '\\' && pos_ < text_.size()) {
        char e = text_[pos_++];
        c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
      }
      *out += c;
    }
    if (pos_ >= text_.size()) return false;
    ++pos_;  // the closing quote
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
};

class Parser {
 public:
  Parser(std::string_view text, const std::string& name) : tokens_(text), name_(name) { Advance(); }

  JaasParse Parse() {
    JaasParse out;
    while (cur_.kind != Token::Kind::kEnd && out.error.empty()) {
      if (cur_.kind != Token::Kind::kWord) return Fail("expected a section name such as Server");
      std::string section = cur_.text;
      Advance();
      if (!Punct("{")) return Fail("expected '{' after section " + section);
      std::vector<JaasEntry>& entries = out.sections[section];
      while (!Punct("}")) {
        JaasEntry entry;
        if (!Entry(&entry)) return Fail(error_);
        entries.push_back(std::move(entry));
      }
      if (!Punct(";")) return Fail("expected ';' after the '}' of section " + section);
    }
    return out;
  }

 private:
  void Advance() { cur_ = tokens_.Next(); }

  bool Punct(const char* p) {
    if (cur_.kind != Token::Kind::kPunct || cur_.text != p) return false;
    Advance();
    return true;
  }

  bool Entry(JaasEntry* e) {
    if (cur_.kind != Token::Kind::kWord) {
      error_ = "expected a login module class name or '}'";
      return false;
    }
    e->module = cur_.text;
    Advance();
    static const char* kFlags[] = {"required", "requisite", "sufficient", "optional"};
    bool known = false;
    for (const char* f : kFlags)
      known = known || (cur_.kind == Token::Kind::kWord && cur_.text == f);
    if (!known) {
      error_ = "expected required, requisite, sufficient or optional after " + e->module;
      return false;
    }
    e->flag = cur_.text;
    Advance();
    while (!Punct(";")) {
      if (cur_.kind != Token::Kind::kWord) {
        error_ = "expected an option name=value or ';' to end the " + e->module + " entry";
        return false;
      }
      std::string key = cur_.text;
      Advance();
      if (!Punct("=")) {
        error_ = "expected '=' after option " + key;
        return false;
      }
      if (cur_.kind != Token::Kind::kWord && cur_.kind != Token::Kind::kQuoted) {
        error_ = "expected a value (a word or a \"quoted string\") for option " + key;
        return false;
      }
      e->options[key] = cur_.text;
      Advance();
    }
    return true;
  }

  JaasParse Fail(const std::string& what) {
    JaasParse out;
    out.error = name_ + ":" + std::to_string(cur_.line) + ": " + what;
    return out;
  }

  Tokenizer tokens_;
  Token cur_;
  std::string name_;
  std::string error_;
};

// The words of shell text with the quotes dropped: java.env lines such as
// SERVER_JVMFLAGS="$SERVER_JVMFLAGS -Dx=y" hold the flags inside quotes, and zkServer.sh splits
// the variable into words on whitespace when it runs java, quoted or not.
std::vector<std::string> ShellWords(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (c == '"' || c == '\'') continue;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';') {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(word);
  return words;
}

bool ReadSmallFile(const std::string& path, std::string* out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = std::strerror(errno);
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  *out = text.str();
  if (out->size() > kJaasBytesMax) {
    *error = "larger than " + std::to_string(kJaasBytesMax) + " bytes";
    return false;
  }
  return true;
}

}  // namespace

JaasParse ParseJaasText(std::string_view text, const std::string& name) {
  return Parser(text, name).Parse();
}

std::map<std::string, std::string> DigestUsers(const std::vector<JaasEntry>& entries) {
  std::map<std::string, std::string> users;
  for (const JaasEntry& e : entries) {
    for (const auto& [key, value] : e.options) {
      if (key.rfind("user_", 0) == 0 && key.size() > 5) users[key.substr(5)] = value;
    }
  }
  return users;
}

std::string JvmProperty(std::string_view flags, std::string_view property) {
  const std::string prefix = "-D" + std::string(property) + "=";
  std::string value;
  for (std::string word : ShellWords(flags)) {
    // A shell assignment's first word: SERVER_JVMFLAGS=-Dkey=value.
    if (size_t eq = word.find('=');
        eq != std::string::npos && word.rfind("-D", 0) != 0 && word.compare(eq + 1, 2, "-D") == 0) {
      word.erase(0, eq + 1);
    }
    if (word.rfind(prefix, 0) != 0) continue;
    value = word.substr(prefix.size());
    if (!value.empty() && value[0] == '=') value.erase(0, 1);
  }
  return value;
}

JaasLocation FindJaasFile(const ServerConfig& config, std::string_view java_env_text,
                          const char* jvmflags, const char* server_jvmflags) {
  namespace fs = std::filesystem;
  const fs::path cfg_dir = fs::path(config.path).parent_path();
  if (!config.jaas_login_config.empty()) {
    fs::path p(config.jaas_login_config);
    if (p.is_relative() && !cfg_dir.empty()) p = cfg_dir / p;
    return {p.string(), config.path + ": jaasLoginConfig"};
  }
  constexpr std::string_view kProperty = "java.security.auth.login.config";
  if (std::string v = JvmProperty(java_env_text, kProperty); !v.empty()) {
    return {v, (cfg_dir / "java.env").string()};
  }
  if (jvmflags != nullptr) {
    if (std::string v = JvmProperty(jvmflags, kProperty); !v.empty()) return {v, "JVMFLAGS"};
  }
  if (server_jvmflags != nullptr) {
    if (std::string v = JvmProperty(server_jvmflags, kProperty); !v.empty()) {
      return {v, "SERVER_JVMFLAGS"};
    }
  }
  return {};
}

JaasUsers LoadJaasUsers(const ServerConfig& config) {
  JaasUsers out;
  std::string java_env, ignored;
  const std::string java_env_path =
      (std::filesystem::path(config.path).parent_path() / "java.env").string();
  if (std::filesystem::exists(java_env_path)) ReadSmallFile(java_env_path, &java_env, &ignored);
  JaasLocation where =
      FindJaasFile(config, java_env, std::getenv("JVMFLAGS"), std::getenv("SERVER_JVMFLAGS"));
  if (where.path.empty()) return out;
  out.configured = true;
  out.path = where.path;
  std::string text, why;
  if (!ReadSmallFile(where.path, &text, &why)) {
    out.error = where.source + ": cannot read the JAAS file " + where.path + ": " + why +
                " (fix the path or remove the setting)";
    return out;
  }
  JaasParse parsed = ParseJaasText(text, where.path);
  if (!parsed.ok()) {
    out.error = parsed.error;
    return out;
  }
  auto it = parsed.sections.find("Server");
  if (it == parsed.sections.end()) return out;
  out.has_server_section = true;
  out.users = DigestUsers(it->second);
  return out;
}

}  // namespace zk
