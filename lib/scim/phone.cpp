#include "scim/phone.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <set>

namespace rosterd::scim {

namespace pn = i18n::phonenumbers;

std::optional<std::string> to_e164(std::string_view text, std::string_view region)
{
    auto const& util = *pn::PhoneNumberUtil::GetInstance();
    pn::PhoneNumber number;
    // "ZZ" is libphonenumber's unknown region: only numbers with a country code.
    if (util.Parse(std::string(text), region.empty() ? std::string("ZZ") : std::string(region), &number)
        != pn::PhoneNumberUtil::NO_PARSING_ERROR)
        return std::nullopt;
    // IS_POSSIBLE only: a number dialable only within its area ("555-0100",
    // IS_POSSIBLE_LOCAL_ONLY) has no E.164 form.
    if (util.IsPossibleNumberWithReason(number) != pn::PhoneNumberUtil::IS_POSSIBLE)
        return std::nullopt;
    std::string out;
    util.Format(number, pn::PhoneNumberUtil::E164, &out);
    return out;
}

bool is_phone_region(std::string_view region)
{
    std::set<std::string> regions;
    pn::PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
    return regions.contains(std::string(region));
}

} // namespace rosterd::scim
