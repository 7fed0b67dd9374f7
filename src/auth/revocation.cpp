// Revocation of JWT sessions, beyond Auth.js: a JWT session lives in the browser's cookie, so the
// server cannot delete it, but it is re-issued at every read of /session, and there it can be
// refused. The token carries the session version its user had at sign-in
// (user_record::session_version); ending a user's sessions bumps the stored version, and a read
// whose token's version differs, or whose user is disabled or gone, ends the session.
//
// What the store says about a user is remembered for session.jwt_revocation_bound, so that most
// reads cost no store call: that is the bound on how long a revoked session can still be read.
#include "revocation.hpp"

#include "engine.hpp"

namespace authpp::detail {
namespace {

// A store that could not answer is asked again after this long, not at every read.
constexpr std::chrono::seconds retry_unknown{5};

const std::string* subject(const json& claims) {
  const auto it = claims.find("sub");
  return it != claims.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

bool fresh(const request_context& ctx, const user_state_cache::entry& e) {
  const std::chrono::seconds bound = *ctx.config().session.jwt_revocation_bound;
  return ctx.engine.clock->now() - e.fetched < (e.known ? bound : std::max(bound, retry_unknown));
}

// revoked judges a session by its claims and its user's remembered state.
bool revoked(const json& claims, const user_state_cache::entry& e) {
  if (!e.known) return false;
  const auto it = claims.find("session_version");
  const bool versioned = it != claims.end() && it->is_number_integer();
  // A user the store does not know ends the sessions authpp issued for them; a token without a
  // version whose subject is no stored user came from elsewhere (an app's own authorize), and
  // is not ours to judge.
  if (!e.exists) return versioned;
  if (e.disabled) return true;
  return (versioned ? it->get<long long>() : 0) != e.version;
}

}  // namespace

bool checks_revocation(const engine_state& engine) { return engine.user_states != nullptr; }

std::optional<std::string> stale_session_user(const request_context& ctx, const json& claims) {
  if (!checks_revocation(ctx.engine)) return std::nullopt;
  const std::string* id = subject(claims);
  if (id == nullptr) return std::nullopt;
  const auto e = ctx.engine.user_states->get(*id);
  if (e && fresh(ctx, *e)) return std::nullopt;
  return *id;
}

void load_user_state(const request_context& ctx, const std::string& user_id) {
  user_state_cache::entry e;
  e.fetched = ctx.engine.clock->now();
  auto found = ctx.config().adapter->find_by_id(user_id);
  if (found) {
    e.known = true;
    e.exists = found->has_value();
    if (e.exists) {
      e.disabled = (*found)->disabled;
      e.version = (*found)->session_version;
    }
  } else {
    ctx.engine.log(
        log_level::warn, "RevocationCheckSkipped",
        "the store cannot say whether JWT sessions were revoked: " + found.error().message());
  }
  ctx.engine.user_states->put(user_id, e);
}

void remember_signed_in(const request_context& ctx, const user& u) {
  if (!checks_revocation(ctx.engine) || !u.id || !u.session_version) return;
  user_state_cache::entry e;
  e.known = e.exists = true;
  e.version = *u.session_version;
  e.fetched = ctx.engine.clock->now();
  ctx.engine.user_states->put(*u.id, e);
}

bool session_revoked(const request_context& ctx, const json& claims) {
  if (!checks_revocation(ctx.engine)) return false;
  if (auto id = stale_session_user(ctx, claims)) load_user_state(ctx, *id);
  const std::string* id = subject(claims);
  if (id == nullptr) return false;
  const auto e = ctx.engine.user_states->get(*id);
  return e && revoked(claims, *e);
}

}  // namespace authpp::detail
