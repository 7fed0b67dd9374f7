#include <authpp/adapters/adapter.hpp>

namespace authpp::adapters {

result<purged> purge_expired(adapter& store, std::chrono::system_clock::time_point now) {
  auto sessions = store.delete_expired_sessions(now);
  if (!sessions) return sessions.error();
  auto tokens = store.delete_expired_verification_tokens(now);
  if (!tokens) return tokens.error();
  return purged{*sessions, *tokens};
}

}  // namespace authpp::adapters
