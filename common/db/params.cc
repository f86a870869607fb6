#include "common/db/params.h"

namespace cmc::db {

std::string Placeholders(size_t count) {
  std::string text;
  for (size_t i = 0; i < count; ++i) text += i == 0 ? "?" : ", ?";
  return text;
}

void BindParams(sql::PreparedStatement& statement,
                const std::vector<Param>& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (const auto* number = std::get_if<int64_t>(&params[i])) {
      statement.setInt64(index, *number);
    } else {
      statement.setString(index, std::get<std::string>(params[i]));
    }
  }
}

}  // namespace cmc::db
