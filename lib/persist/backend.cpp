#include "persist/backend.hpp"

#include "log/log.hpp"
#include "persist/codec.hpp"
#include "persist/journal_format.hpp"

namespace rosterd::persist {

void backend::record_audited(store::directory const& dir, store::change c, store::actor const& who,
                             store::unix_time at)
{
    // The event first: a journal whose last record is torn off may then
    // hold an event for a change that was never made (nor acknowledged),
    // but never a change without its event.
    if (auto event = store::audit_of(dir, c, who, at)) {
        // A user's own edits beyond their share of the trail push out only
        // their own oldest (store/audit.hpp, "Retention").
        if (auto const oldest = store::self_service_overflow(dir, *event))
            record(store::remove_audit{*oldest});
        record(store::put_audit{std::move(*event)});
    }
    record(std::move(c));
}

bool pending_batch::run(store::directory& dir, backend::work_fn const& work)
{
    auto const mark = undo_.size();
    auto const seq = next_seq;
    in_unit_ = true;
    bool ok = false;
    try {
        ok = work();
    } catch (std::exception const& e) {
        log::error(std::string("write failed: ") + e.what());
    } catch (...) {
        log::error("write failed: unknown exception");
    }
    in_unit_ = false;
    if (!ok) {
        undo_to(dir, mark);
        next_seq = seq;
        unit_.clear();
        unit_ends_.clear();
        return false;
    }
    close_unit();
    return true;
}

void pending_batch::record(store::directory& dir, store::change c)
{
    if (journaled_) {
        encoder e(unit_);
        e.u64(next_seq++);
        encode_change(e, c);
        unit_ends_.push_back(unit_.size());
        changes_.push_back(c);
        if (!in_unit_) // outside work, a change is a unit of its own
            close_unit();
    }
    undo_.push_back(dir.apply_with_undo(std::move(c)));
}

void pending_batch::close_unit()
{
    std::size_t begin = 0;
    for (std::size_t i = 0; i < unit_ends_.size(); ++i) {
        bool const last = i + 1 == unit_ends_.size();
        append_record(records_, last ? record_type::change : record_type::change_part,
                      std::string_view(unit_).substr(begin, unit_ends_[i] - begin));
        begin = unit_ends_[i];
    }
    unit_.clear();
    unit_ends_.clear();
}

void pending_batch::apply_undo(store::directory& dir, std::size_t mark) const
{
    for (auto i = undo_.size(); i > mark; --i)
        for (auto const& c : undo_[i - 1])
            dir.apply(c);
}

void pending_batch::undo_to(store::directory& dir, std::size_t mark)
{
    apply_undo(dir, mark);
    undo_.resize(mark);
    if (journaled_)
        changes_.resize(mark);
}

void pending_batch::hide(store::directory& dir) { apply_undo(dir, 0); }

void pending_batch::show(store::directory& dir)
{
    for (auto& c : changes_)
        dir.apply(std::move(c));
    changes_.clear();
}

void pending_batch::clear()
{
    unit_.clear();
    unit_ends_.clear();
    records_.clear();
    changes_.clear();
    undo_.clear();
}

} // namespace rosterd::persist
