#pragma once

// StoredUserEngineTest: engine tests whose credentials provider signs alice in as a user of a
// memory store (behind a faulty_adapter, so that tests can take parts of it down), as
// `authpp serve`'s store-backed provider does.
#include <authpp/adapters/memory_store.hpp>

#include <memory>
#include <string>

#include "engine_fixture.hpp"
#include "faulty_adapter.hpp"

namespace authpp::test {

class StoredUserEngineTest : public EngineTest {
 protected:
  std::shared_ptr<adapters::adapter> memory_ =
      adapters::make_memory_store(default_random(), clock_);
  std::shared_ptr<faulty_adapter> faulty_ = std::make_shared<faulty_adapter>(memory_);
  adapters::adapter* store_ = memory_.get();
  std::string alice_id_ =
      store_->add_user({.email = "alice@example.com", .name = "Alice"}, "").value().id;

  // stored_config is config() with the store as adapter and alice/wonderland signing in as the
  // store's user (with her session version).
  auth_config stored_config() {
    auth_config c = config();
    c.adapter = faulty_;
    auto& p = std::get<credentials_provider>(c.providers.front());
    p.authorize = [this](const authorize_request& r) {
      if (r.credentials.value("password", "") != "wonderland") return authorize_result::reject();
      const auto u = store_->find_by_email(r.credentials.value("username", "") + "@example.com");
      if (!u || !*u) return authorize_result::reject();
      return authorize_result::accept({.id = (*u)->id,
                                       .name = (*u)->name,
                                       .email = (*u)->email,
                                       .image = {},
                                       .extra = {},
                                       .session_version = (*u)->session_version});
    };
    return c;
  }
};

}  // namespace authpp::test
