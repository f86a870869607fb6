// Values bound to the `?` placeholders of a statement assembled at run time
// (a list query whose WHERE clause depends on its filters): the SQL is built
// from fixed fragments and every value goes in as a parameter.
//
//   std::vector<db::Param> params;
//   sql += " AND status = ?";
//   params.emplace_back(int64_t{status});
//   std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(sql));
//   db::BindParams(*select, params);
#ifndef CMC_COMMON_DB_PARAMS_H_
#define CMC_COMMON_DB_PARAMS_H_

#include <cppconn/prepared_statement.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace cmc::db {

// A number or a text.
using Param = std::variant<int64_t, std::string>;

// "?, ?, ..., ?" with `count` placeholders ("" for none), for an IN (...) list
// or a VALUES row of run-time length.
std::string Placeholders(size_t count);

// Binds `params` in order to placeholders 1..n of `statement`. Throws
// sql::SQLException as the setters do (the transaction helpers map it).
void BindParams(sql::PreparedStatement& statement,
                const std::vector<Param>& params);

}  // namespace cmc::db

#endif  // CMC_COMMON_DB_PARAMS_H_
