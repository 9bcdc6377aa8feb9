// GET /api/v1/openapi.json: the API's description, public like /healthz so that a client can read
// what to ask for before it holds a token.
#include "hub/api/openapi.hpp"

#include "hub/api/api.hpp"

namespace ijro::api {

http::Response Api::getOpenApi(const http::Request&) {
  http::Response res{200, "application/json", std::string(openApiJson()), {}};
  // The same bytes until the hub is upgraded: a client may keep it for a while.
  res.headers.emplace_back("Cache-Control", "public, max-age=3600");
  return res;
}

}  // namespace ijro::api
