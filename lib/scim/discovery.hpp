#pragma once
// What /scim/v2/ServiceProviderConfig, /ResourceTypes and /Schemas say
// (RFC 7644 §4, RFC 7643 §5–7): exactly what rosterd supports.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace rosterd::scim {

boost::json::object service_provider_config();
// The User and Group resource types.
boost::json::array resource_types();
// The User and Group schemas, with only the attributes rosterd keeps.
boost::json::array schemas();

} // namespace rosterd::scim
