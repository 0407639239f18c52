#include "core/shape.h"

namespace normlab::core {

std::size_t Shape::size() const {
    std::size_t n = 1;
    for (int i = 0; i < rank; ++i) n *= static_cast<std::size_t>(dims[i]);
    return n;
}

int Shape::channels() const { return rank == 4 ? dims[1] : dims[rank - 1]; }

int Shape::spatial() const {
    if (rank == 3) return dims[1];
    if (rank == 4) return dims[2] * dims[3];
    return 1;
}

bool Shape::valid() const {
    if (rank < 2 || rank > 4) return false;
    for (int i = 0; i < rank; ++i)
        if (dims[i] < 1) return false;
    return true;
}

std::string Shape::str() const {
    std::string s = "(";
    for (int i = 0; i < rank; ++i) {
        if (i) s += ", ";
        s += std::to_string(dims[i]);
    }
    return s + ")";
}

} // namespace normlab::core
