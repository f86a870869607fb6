// A caller's stream on a generic method, driven one operation at a time through
// a completion queue, so a test can interleave writes and reads as it likes.
//
//   grpc::GenericStub stub(channel);
//   grpc::ClientContext context;
//   GenericCall call(stub, &context, "/cmc.referral.v1.X/Y");
//   ASSERT_TRUE(call.Write("a"));
//   std::string echoed;
//   ASSERT_TRUE(call.Read(&echoed));
//   call.WritesDone();
//   EXPECT_TRUE(call.Finish().ok());
//
// Test-only (target cmc_testing_fake_backend).
#ifndef CMC_COMMON_TESTING_GENERIC_CALL_H_
#define CMC_COMMON_TESTING_GENERIC_CALL_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace cmc::testing {

class GenericCall {
 public:
  // Starts the call and waits until it has started.
  GenericCall(grpc::GenericStub& stub, grpc::ClientContext* context,
              const std::string& method);
  GenericCall(const GenericCall&) = delete;
  GenericCall& operator=(const GenericCall&) = delete;
  ~GenericCall();

  // Each waits for its operation; false when the stream is broken or, for
  // Read, ended.
  bool Write(const std::string& text);
  bool Read(std::string* text);
  void WritesDone();
  grpc::Status Finish();

 private:
  bool Wait();

  grpc::CompletionQueue cq_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
};

}  // namespace cmc::testing

#endif  // CMC_COMMON_TESTING_GENERIC_CALL_H_
