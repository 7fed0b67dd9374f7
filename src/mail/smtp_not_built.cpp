// smtp_sender in a build without libcurl (AUTHPP_WITH_CURL=OFF): the file transport still works.
#include <authpp/mail/mail.hpp>

namespace authpp::mail {

result<std::unique_ptr<sender>> smtp_sender(smtp_options) {
  return auth_error{errc::not_built, "SMTP: this authpp was built with AUTHPP_WITH_CURL=OFF"};
}

}  // namespace authpp::mail
