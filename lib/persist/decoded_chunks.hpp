#pragma once
// Loading a directory is two jobs: checking and decoding the records (with
// the allocations of their strings), and inserting them into the
// directory and its indexes, which costs more. load_beside() has a second
// thread do the first, and build the search index, while the caller does
// the rest, the decoded records passed over in chunks through a short
// queue. A snapshot's load and a PostgreSQL store's share it.

#include "store/change.hpp"
#include "store/directory.hpp"
#include "system/heap.hpp"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace rosterd::persist {

// The queue between the two, and the emptied chunks on their way back. A
// chunk is most of a megabyte (4,096 changes of 232 bytes): made fresh for
// every 4,096 records, each grew by copies, and the freed ones were left
// as holes among the directory's own allocations (7 MB more resident after
// a load of a million users).
class decoded_chunks {
public:
    using chunk = std::vector<store::change>;
    static constexpr std::size_t chunk_size = 4096;
    static constexpr std::size_t max_queued = 8;
    static constexpr std::size_t heap_step = 64 << 20;

    // Producer: hands `c` over and leaves in it an empty chunk to fill
    // next (one given back, when there is one; else it grows, as the first
    // few do). False once the consumer has given up.
    bool push(chunk& c)
    {
        std::unique_lock lock(mutex_);
        space_.wait(lock, [&] { return queue_.size() < max_queued || abandoned_; });
        if (abandoned_)
            return false;
        queue_.push_back(std::move(c));
        ready_.notify_one();
        // Moved from, `c` is empty; a chunk given back has its capacity.
        if (!spare_.empty()) {
            c = std::move(spare_.back());
            spare_.pop_back();
        }
        return true;
    }
    // Consumer: a chunk it is done with, for the producer to fill again.
    void give_back(chunk&& c)
    {
        c.clear();
        std::lock_guard lock(mutex_);
        spare_.push_back(std::move(c));
    }
    void finish(std::exception_ptr error)
    {
        std::lock_guard lock(mutex_);
        finished_ = true;
        error_ = error;
        ready_.notify_one();
    }
    // Consumer: the next chunk, or nullopt at the end (rethrowing the
    // producer's error).
    std::optional<chunk> pop()
    {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !queue_.empty() || finished_; });
        if (queue_.empty()) {
            if (error_)
                std::rethrow_exception(error_);
            return std::nullopt;
        }
        auto c = std::move(queue_.front());
        queue_.pop_front();
        space_.notify_one();
        return c;
    }
    void abandon()
    {
        std::lock_guard lock(mutex_);
        abandoned_ = true;
        space_.notify_one();
    }

private:
    std::mutex mutex_;
    std::condition_variable ready_, space_;
    std::deque<chunk> queue_;
    std::vector<chunk> spare_;
    bool finished_ = false, abandoned_ = false;
    std::exception_ptr error_;
};

// Applies a decoded chunk's changes in order, asking for each one's index
// slots a few changes ahead (directory::prefetch): a load's inserts are a
// cache miss each otherwise. `search_beside`: through directory::load,
// with the keys prefetch() made; else directory::apply.
inline void apply_chunk(store::directory& dir, decoded_chunks::chunk& chunk, bool search_beside = false)
{
    constexpr std::size_t ahead = 8;
    std::array<store::directory::index_keys, ahead> keys;
    auto const n = chunk.size();
    for (std::size_t i = 0; i < std::min(ahead, n); ++i)
        keys[i] = dir.prefetch(chunk[i]);
    for (std::size_t i = 0; i < n; ++i) {
        auto const these = keys[i % ahead];
        if (i + ahead < n)
            keys[i % ahead] = dir.prefetch(chunk[i + ahead]);
        if (search_beside)
            dir.load(std::move(chunk[i]), these);
        else
            dir.apply(std::move(chunk[i]));
    }
}

// Loads record images into `dir`: runs `produce(push)` on a second thread
// - `push(chunk&)` hands a chunk over and leaves an empty one in its
// place, false once this thread has given up - while this thread applies
// each chunk in order. Rethrows the producer's error after the chunks
// before it; on this thread's, stops the producer at its next push and
// waits for it.
//
// The inserts cost more than the decoding, so the second thread also
// builds the search index from the users it decodes, when `dir` holds no
// users yet (directory::load): the two threads then take about as long.
template <class Produce>
void load_beside(store::directory& dir, Produce&& produce)
{
    // The producer's heap (a thread's own) grows with every record it
    // decodes: in steps of a whole heap (glibc's are 64 MiB at most), not a
    // page and a system call at a time.
    system::heap_steps const steps(decoded_chunks::heap_step);
    bool const search_beside = dir.users().size() == 0;
    store::search_index::builder search;
    decoded_chunks chunks;
    std::thread producer([&] {
        std::exception_ptr error;
        try {
            produce([&](decoded_chunks::chunk& c) {
                if (search_beside)
                    for (auto const& change : c) {
                        if (auto const* p = std::get_if<store::put_user>(&change))
                            search.put(p->after);
                        else if (auto const* r = std::get_if<store::remove_user>(&change))
                            search.erase(r->id);
                    }
                return chunks.push(c);
            });
        } catch (...) {
            error = std::current_exception();
        }
        chunks.finish(error);
    });
    try {
        while (auto chunk = chunks.pop()) {
            apply_chunk(dir, *chunk, search_beside);
            chunks.give_back(std::move(*chunk));
        }
    } catch (...) {
        chunks.abandon();
        producer.join();
        throw;
    }
    producer.join();
    if (search_beside)
        dir.adopt_search(std::move(search).finish());
}

} // namespace rosterd::persist
