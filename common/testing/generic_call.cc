#include "common/testing/generic_call.h"

#include <gtest/gtest.h>

namespace cmc::testing {

GenericCall::GenericCall(grpc::GenericStub& stub, grpc::ClientContext* context,
                         const std::string& method)
    : call_(stub.PrepareCall(context, method, &cq_)) {
  call_->StartCall(this);
  Wait();
}

GenericCall::~GenericCall() {
  cq_.Shutdown();
  void* tag;
  bool ok;
  while (cq_.Next(&tag, &ok)) {
  }
}

bool GenericCall::Write(const std::string& text) {
  grpc::Slice slice(text);
  grpc::ByteBuffer buffer(&slice, 1);
  call_->Write(buffer, this);
  return Wait();
}

bool GenericCall::Read(std::string* text) {
  grpc::ByteBuffer buffer;
  call_->Read(&buffer, this);
  if (!Wait()) return false;
  grpc::Slice slice;
  EXPECT_TRUE(buffer.TrySingleSlice(&slice).ok() ||
              buffer.DumpToSingleSlice(&slice).ok());
  *text =
      std::string(reinterpret_cast<const char*>(slice.begin()), slice.size());
  return true;
}

void GenericCall::WritesDone() {
  call_->WritesDone(this);
  Wait();
}

grpc::Status GenericCall::Finish() {
  grpc::Status status;
  call_->Finish(&status, this);
  Wait();
  return status;
}

bool GenericCall::Wait() {
  void* tag;
  bool ok = false;
  EXPECT_TRUE(cq_.Next(&tag, &ok));
  return ok;
}

}  // namespace cmc::testing
