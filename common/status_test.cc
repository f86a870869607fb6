#include "common/status.h"

#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace cmc {
namespace {

TEST(StatusTest, CodesMapOneToOne) {
  struct Case {
    absl::Status in;
    grpc::StatusCode want;
  };
  const Case cases[] = {
      {absl::OkStatus(), grpc::StatusCode::OK},
      {absl::CancelledError("x"), grpc::StatusCode::CANCELLED},
      {absl::InvalidArgumentError("x"), grpc::StatusCode::INVALID_ARGUMENT},
      {absl::DeadlineExceededError("x"), grpc::StatusCode::DEADLINE_EXCEEDED},
      {absl::NotFoundError("x"), grpc::StatusCode::NOT_FOUND},
      {absl::AlreadyExistsError("x"), grpc::StatusCode::ALREADY_EXISTS},
      {absl::PermissionDeniedError("x"), grpc::StatusCode::PERMISSION_DENIED},
      {absl::ResourceExhaustedError("x"), grpc::StatusCode::RESOURCE_EXHAUSTED},
      {absl::FailedPreconditionError("x"),
       grpc::StatusCode::FAILED_PRECONDITION},
      {absl::AbortedError("x"), grpc::StatusCode::ABORTED},
      {absl::OutOfRangeError("x"), grpc::StatusCode::OUT_OF_RANGE},
      {absl::UnimplementedError("x"), grpc::StatusCode::UNIMPLEMENTED},
      {absl::InternalError("x"), grpc::StatusCode::INTERNAL},
      {absl::UnavailableError("x"), grpc::StatusCode::UNAVAILABLE},
      {absl::DataLossError("x"), grpc::StatusCode::DATA_LOSS},
      {absl::UnauthenticatedError("x"), grpc::StatusCode::UNAUTHENTICATED},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in.ToString());
    const grpc::Status out = ToGrpcStatus(c.in);
    EXPECT_EQ(out.error_code(), c.want);
    EXPECT_EQ(out.error_message(), std::string(c.in.message()));
    const absl::Status back = FromGrpcStatus(out);
    EXPECT_EQ(back.code(), c.in.code());
    EXPECT_EQ(back.message(), c.in.message());
  }
}

TEST(StatusTest, InvalidFieldNamesTheFieldInMessageAndDetails) {
  const absl::Status status =
      InvalidField("institution.uscc", "checksum mismatch");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "institution.uscc: checksum mismatch");
  EXPECT_EQ(BadField(status), "institution.uscc");

  const grpc::Status wire = ToGrpcStatus(status);
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(wire.error_details()));
  EXPECT_EQ(rich.code(), 3);
  ASSERT_EQ(rich.details_size(), 1);
  EXPECT_EQ(rich.details(0).type_url(),
            "type.googleapis.com/google.rpc.BadRequest");
  google::rpc::BadRequest bad;
  ASSERT_TRUE(rich.details(0).UnpackTo(&bad));
  ASSERT_EQ(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).field(), "institution.uscc");
  EXPECT_EQ(bad.field_violations(0).description(), "checksum mismatch");

  // And back again: the field survives a round trip through gRPC.
  EXPECT_EQ(BadField(FromGrpcStatus(wire)), "institution.uscc");
}

TEST(StatusTest, FieldErrorKeepsTheCodeAndNamesTheField) {
  const absl::StatusCode codes[] = {
      absl::StatusCode::kNotFound, absl::StatusCode::kAlreadyExists,
      absl::StatusCode::kFailedPrecondition, absl::StatusCode::kAborted};
  for (absl::StatusCode code : codes) {
    SCOPED_TRACE(absl::StatusCodeToString(code));
    const absl::Status status = FieldError(code, "referral.version", "stale");
    EXPECT_EQ(status.code(), code);
    EXPECT_EQ(status.message(), "referral.version: stale");
    EXPECT_EQ(BadField(FromGrpcStatus(ToGrpcStatus(status))),
              "referral.version");
  }
}

TEST(StatusTest, BadFieldIsEmptyWithoutDetails) {
  EXPECT_EQ(BadField(absl::InvalidArgumentError("x: y")), "");
  EXPECT_EQ(BadField(absl::OkStatus()), "");
}

TEST(StatusTest, ErrorInfoTravelsAsDetail) {
  const absl::Status status =
      WithErrorInfo(absl::UnavailableError("backend down"),
                    "BACKEND_UNAVAILABLE", "backend", "referral");
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(ToGrpcStatus(status).error_details()));
  ASSERT_EQ(rich.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rich.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "BACKEND_UNAVAILABLE");
  EXPECT_EQ(info.metadata().at("backend"), "referral");
}

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidField("x", "must be even");
  return x / 2;
}

absl::StatusOr<int> Quarter(int x) {
  CMC_ASSIGN_OR_RETURN(int half, Half(x));
  CMC_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

absl::Status CheckEven(int x) {
  CMC_RETURN_IF_ERROR(Half(x).status());
  return absl::OkStatus();
}

TEST(StatusTest, MacrosReturnEarlyOnError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Quarter(7).status().message(), "x: must be even");
  EXPECT_TRUE(CheckEven(2).ok());
  EXPECT_EQ(BadField(CheckEven(3)), "x");
}

}  // namespace
}  // namespace cmc
