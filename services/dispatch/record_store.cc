#include "services/dispatch/record_store.h"

namespace cmc::dispatch {
namespace {

bool Has(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

bool KeysMatch(const RecordKeys& keys, const RecordQuery& query) {
  if (!query.community_id.empty() && keys.community_id != query.community_id) {
    return false;
  }
  if (!query.parent_id.empty() && keys.parent_id != query.parent_id) {
    return false;
  }
  if (!query.village_id.empty() && keys.village_id != query.village_id) {
    return false;
  }
  if (!query.staff_id.empty() && !Has(keys.staff_ids, query.staff_id)) {
    return false;
  }
  if (!query.any_staff_ids.empty()) {
    bool any = false;
    for (const std::string& id : keys.staff_ids) {
      any = any || Has(query.any_staff_ids, id);
    }
    if (!any) return false;
  }
  if (!query.institution_id.empty() &&
      !Has(keys.institution_ids, query.institution_id)) {
    return false;
  }
  if (query.overlapping && !keys.days.Overlaps(*query.overlapping)) {
    return false;
  }
  if (query.status != 0 && keys.status != query.status) return false;
  if (query.scope_institutions || query.scope_communities) {
    bool in = false;
    if (query.scope_communities) {
      in = Has(*query.scope_communities, keys.community_id);
    }
    if (!in && query.scope_institutions) {
      for (const std::string& id : keys.institution_ids) {
        in = in || Has(*query.scope_institutions, id);
      }
    }
    if (!in) return false;
  }
  return true;
}

}  // namespace cmc::dispatch
