#include "common/status.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace cmc {

absl::Status InvalidField(absl::string_view field,
                          absl::string_view description) {
  absl::Status status(absl::StatusCode::kInvalidArgument,
                      absl::StrCat(field, ": ", description));
  google::rpc::BadRequest detail;
  auto* violation = detail.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_description(std::string(description));
  status.SetPayload(kBadRequestTypeUrl, absl::Cord(detail.SerializeAsString()));
  return status;
}

absl::Status FieldError(absl::StatusCode code, absl::string_view field,
                        absl::string_view description) {
  const absl::Status invalid = InvalidField(field, description);
  absl::Status status(code, invalid.message());
  status.SetPayload(kBadRequestTypeUrl,
                    *invalid.GetPayload(kBadRequestTypeUrl));
  return status;
}

std::string BadField(const absl::Status& status) {
  auto payload = status.GetPayload(kBadRequestTypeUrl);
  if (!payload.has_value()) return "";
  google::rpc::BadRequest detail;
  if (!detail.ParseFromString(std::string(*payload)) ||
      detail.field_violations().empty()) {
    return "";
  }
  return detail.field_violations(0).field();
}

absl::Status WithErrorInfo(absl::Status status, absl::string_view reason,
                           absl::string_view key, absl::string_view value) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain("cmc");
  (*info.mutable_metadata())[std::string(key)] = std::string(value);
  status.SetPayload(kErrorInfoTypeUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(status.code()));
  rich.set_message(std::string(status.message()));
  status.ForEachPayload(
      [&rich](absl::string_view url, const absl::Cord& payload) {
        if (!absl::StartsWith(url, "type.googleapis.com/")) return;
        auto* any = rich.add_details();
        any->set_type_url(std::string(url));
        any->set_value(std::string(payload));
      });
  const auto code = static_cast<grpc::StatusCode>(status.code());
  if (rich.details().empty())
    return grpc::Status(code, std::string(status.message()));
  return grpc::Status(code, std::string(status.message()),
                      rich.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()),
                   status.error_message());
  google::rpc::Status rich;
  if (!status.error_details().empty() &&
      rich.ParseFromString(status.error_details())) {
    for (const auto& any : rich.details()) {
      out.SetPayload(any.type_url(), absl::Cord(any.value()));
    }
  }
  return out;
}

}  // namespace cmc
