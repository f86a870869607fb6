// `cmcctl demo-county`: loads a small demo county medical community through
// the gateway and prints what it holds.
#ifndef CMC_TOOLS_CMCCTL_DEMO_COUNTY_H_
#define CMC_TOOLS_CMCCTL_DEMO_COUNTY_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>

namespace cmc::cmcctl {

// Creates the demo community of county 360426: its lead hospital (A100), 3
// township health centers, 6 village clinics, their memberships, 6 villages
// and 20 staff, each with a fixed request_id ("demo-county:...") so that a
// rerun returns the first results and changes nothing. Then prints a summary
// from ListSubtree and GetStaffingSummary. `prepare` sets the deadline and
// the bearer token of each call. Returns 0 on success, 1 after printing the
// failing call's code and message to stderr.
int DemoCounty(std::shared_ptr<grpc::Channel> channel,
               const std::function<void(grpc::ClientContext*)>& prepare);

}  // namespace cmc::cmcctl

#endif  // CMC_TOOLS_CMCCTL_DEMO_COUNTY_H_
