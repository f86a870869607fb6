#include <gtest/gtest.h>

#include "common/db/migrations.h"

namespace cmc::db {
namespace {

TEST(SplitSqlStatementsTest, Table) {
  struct Case {
    const char* name;
    const char* script;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {"empty", "", {}},
      {"blank and comments only",
       "  \n-- nothing\n/* still nothing */\n# hash\n",
       {}},
      {"one without semicolon", "SELECT 1", {"SELECT 1"}},
      {"two",
       "CREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n",
       {"CREATE TABLE a (x INT)", "CREATE TABLE b (y INT)"}},
      {"semicolon in single quotes",
       "INSERT INTO t VALUES ('a;b');",
       {"INSERT INTO t VALUES ('a;b')"}},
      {"semicolon in double quotes and backticks",
       "SELECT \"x;y\" AS `c;d`;",
       {"SELECT \"x;y\" AS `c;d`"}},
      {"escaped quote", "SELECT 'it\\'s; fine';", {"SELECT 'it\\'s; fine'"}},
      {"semicolon in comments",
       "-- a; b\nSELECT 1; /* c; d */ SELECT 2;",
       {"-- a; b\nSELECT 1", "/* c; d */ SELECT 2"}},
      {"chinese text",
       "INSERT INTO t VALUES ('乡镇卫生院;村卫生室');",
       {"INSERT INTO t VALUES ('乡镇卫生院;村卫生室')"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(SplitSqlStatements(c.script), c.want);
  }
}

TEST(Sha256HexTest, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace cmc::db
