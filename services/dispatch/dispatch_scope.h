// What the caller's org scope (common/service/org_scope.h) covers in the
// dispatch service (pure): a record when the scope covers its community or
// one of the institutions it involves (organiser, home, destination, clinic);
// a village when it covers its community, its township center or its clinic.
// A township center thus plans its own tours and sees its own villages; a
// community admin sees the whole community.
#ifndef CMC_SERVICES_DISPATCH_DISPATCH_SCOPE_H_
#define CMC_SERVICES_DISPATCH_DISPATCH_SCOPE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cmc/institution/v1/institution.pb.h"
#include "common/service/org_scope.h"
#include "services/dispatch/record_store.h"

namespace cmc::dispatch {

bool CoversRecord(const OrgScope& scope, const RecordKeys& keys);
bool CoversVillage(const OrgScope& scope, const institution::v1::Village& v);

// OK when covered, else PERMISSION_DENIED (OUT_OF_SCOPE) naming `field`.
absl::Status RequireRecord(const OrgScope& scope, const RecordKeys& keys,
                           absl::string_view field, absl::string_view what);
absl::Status RequireVillage(const OrgScope& scope,
                            const institution::v1::Village& village,
                            absl::string_view field);

// Confines `query` to what `scope` covers (nothing to do when unrestricted).
void RestrictQuery(const OrgScope& scope, RecordQuery* query);

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_DISPATCH_SCOPE_H_
