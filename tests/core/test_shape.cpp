// tests/core/test_shape.cpp: the rank-2/3/4 shape model and its channel/spatial axes.
#include <doctest/doctest.h>

#include "core/shape.h"

using normlab::core::Shape;

TEST_CASE("shape: size, channels and spatial per rank") {
    const Shape m = Shape::matrix(4, 8);
    CHECK(m.size() == 32);
    CHECK(m.batch() == 4);
    CHECK(m.channels() == 8);
    CHECK(m.spatial() == 1);

    const Shape s = Shape::sequence(2, 5, 3);
    CHECK(s.size() == 30);
    CHECK(s.channels() == 3); // features are the last axis
    CHECK(s.spatial() == 5);

    const Shape i = Shape::image(2, 3, 4, 5);
    CHECK(i.size() == 120);
    CHECK(i.channels() == 3); // NCHW: axis 1
    CHECK(i.spatial() == 20);
}

TEST_CASE("shape: valid rejects bad ranks and dims below 1") {
    CHECK(Shape::matrix(1, 1).valid());
    CHECK_FALSE(Shape::matrix(0, 3).valid());
    CHECK_FALSE(Shape::image(2, 3, 0, 4).valid());
    CHECK_FALSE(Shape::sequence(2, -1, 4).valid());
    Shape bad_rank;
    bad_rank.rank = 1;
    CHECK_FALSE(bad_rank.valid());
    bad_rank.rank = 5;
    CHECK_FALSE(bad_rank.valid());
    // Unused trailing dims do not matter.
    Shape m = Shape::matrix(2, 3);
    m.dims[3] = 0;
    CHECK(m.valid());
    CHECK(m.size() == 6);
}

TEST_CASE("shape: str prints the used dims only") {
    CHECK(Shape::matrix(4, 8).str() == "(4, 8)");
    CHECK(Shape::sequence(2, 5, 3).str() == "(2, 5, 3)");
    CHECK(Shape::image(1, 2, 3, 4).str() == "(1, 2, 3, 4)");
}
