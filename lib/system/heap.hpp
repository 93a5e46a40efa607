#pragma once
// glibc's malloc grows the heap of any thread but the first by the pages
// each request needs, one mprotect() at a time: a load of a million users,
// decoded on a thread of its own (persist/decoded_chunks.hpp), made about
// 21,000 of them, a system call each, and on a virtual machine an expensive
// one. While a heap_steps lives, heaps grow in steps of `pad` bytes instead
// (M_TOP_PAD). Its destructor sets glibc's default step (128 KiB) again and
// gives back what the steps left unused (malloc_trim), so that the load
// leaves no more resident than it would have.
//
// Setting M_TOP_PAD also fixes malloc's mmap and trim thresholds at their
// defaults (128 KiB) for the rest of the process, where they would
// otherwise rise after a large block was freed: a block of 128 KiB or more
// is then mapped for itself when the heap's top cannot hold it, and free
// memory over 128 KiB at the top of a heap is given back.
//
// Nothing on other C libraries.

#include <cstddef>

namespace rosterd::system {

class heap_steps {
public:
    explicit heap_steps(std::size_t pad);
    ~heap_steps();
    heap_steps(heap_steps const&) = delete;
    heap_steps& operator=(heap_steps const&) = delete;
};

} // namespace rosterd::system
