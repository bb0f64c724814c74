// Why a member left its role (Replica::LeaveRole's reasons), in words for the server's log.
#pragma once

#include <string_view>

namespace zk {

// "a learner's log is ahead of this leader's" for "learner_ahead"; the reason itself when it is
// not one of LeaveRole's.
std::string_view LeaveReasonText(std::string_view why);

}  // namespace zk
