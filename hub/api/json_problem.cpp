#include "hub/api/json_problem.hpp"

#include <boost/json.hpp>

#include "hub/exchange/json_text.hpp"

namespace ijro::api {

http::Response jsonProblem(int status, const std::string& message) {
  return {status,
          "application/json",
          exchange::toJsonText(
              boost::json::object{{"error", {{"status", status}, {"message", message}}}}) +
              "\n",
          {}};
}

}  // namespace ijro::api
