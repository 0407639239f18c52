// core/shape.h: tensor shapes and non-owning views.
// Owns: the rank-2/3/4 shape model used everywhere ((B,d), (B,L,d), (B,C,H,W), row-major).
// Knows nothing of kernels, UI or platform. Invariant: every dim of a valid Shape is >= 1.
#pragma once

#include <array>
#include <cstddef>
#include <string>

namespace normlab::core {

// Row-major shape of rank 2, 3 or 4. The channel/feature axis is the last axis for rank 2
// and 3, and axis 1 for rank 4 (NCHW).
struct Shape {
    int rank = 2;
    std::array<int, 4> dims{1, 1, 1, 1};

    static Shape matrix(int b, int d) { return Shape{.rank = 2, .dims = {b, d, 1, 1}}; }
    static Shape sequence(int b, int l, int d) { return Shape{.rank = 3, .dims = {b, l, d, 1}}; }
    static Shape image(int b, int c, int h, int w) { return Shape{.rank = 4, .dims = {b, c, h, w}}; }

    std::size_t size() const;        // product of the first `rank` dims
    int batch() const { return dims[0]; }
    int channels() const;            // feature axis: last for rank 2/3, axis 1 for rank 4
    int spatial() const;             // L for rank 3, H*W for rank 4, 1 for rank 2
    bool valid() const;              // rank in 2..4 and every used dim >= 1
    std::string str() const;         // "(4, 8)" style, for messages
};

// Non-owning view of a contiguous row-major float tensor.
struct TensorView {
    const float* data = nullptr;
    Shape shape;
};

} // namespace normlab::core
