// tests/sim/test_tensor_text.cpp: pasted tensors are read exactly or refused with a reason.
#include <doctest/doctest.h>

#include <cmath>

#include "sim/lab.h"
#include "sim/tensor_text.h"

using namespace normlab;

TEST_CASE("parse_tensor_text: CSV rows with any separator") {
    sim::ParsedTensor t;
    REQUIRE(sim::parse_tensor_text("1, 2, 3\n4;5;6\n\n7\t8 9\n", &t) == "");
    CHECK(t.dims == std::vector<int>{3, 3});
    CHECK(t.values == std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9});
    CHECK(sim::parse_tensor_text("1,2,3\n4,5\n", &t) == "row 2 has 2 values; the rows above have 3");
    CHECK(sim::parse_tensor_text("1,x,3", &t).find("row 1: 'x,3' is not a number") == 0);
    CHECK(sim::parse_tensor_text("   \n", &t).find("nothing to read") == 0);
}

TEST_CASE("parse_tensor_text: numpy-printed arrays, nesting gives the rank") {
    sim::ParsedTensor t;
    REQUIRE(sim::parse_tensor_text("[[ 1.  2.]\n [ 3. -4.5e-1]]", &t) == "");
    CHECK(t.dims == std::vector<int>{2, 2});
    CHECK(t.values[3] == doctest::Approx(-0.45f));
    REQUIRE(sim::parse_tensor_text("array([[[1, 2], [3, 4]], [[5, 6], [7, nan]]], dtype=float32)", &t) == "");
    CHECK(t.dims == std::vector<int>{2, 2, 2});
    CHECK(std::isnan(t.values[7]));
    REQUIRE(sim::parse_tensor_text("[1, -inf, 3]", &t) == "");
    CHECK(t.dims == std::vector<int>{1, 3});
    CHECK(std::isinf(t.values[1]));
    CHECK(sim::parse_tensor_text("[[1, 2], [3]]", &t).find("differ in length") != std::string::npos);
    CHECK(sim::parse_tensor_text("[[1, 2], [3, 4]", &t).find("never closed") != std::string::npos);
    CHECK(sim::parse_tensor_text("[[[[[1]]]]]", &t).find("nested") != std::string::npos);
    CHECK(sim::parse_tensor_text("[1, [2]]", &t).find("mixes") != std::string::npos);
    CHECK(sim::parse_tensor_text("[]", &t).find("empty") != std::string::npos);
}

TEST_CASE("lab: load_tensor takes the learner's data and its shape") {
    sim::Lab lab;
    lab.init({.family = kernels::NormKind::Layer});
    CHECK(lab.load_tensor({2, 3}, {1, 2, 3, 4, 4, 4}) == "");
    CHECK(lab.shape().str() == "(2, 3)");
    CHECK(lab.y()[3] == 0.f);   // a constant row normalizes to beta
    CHECK(lab.y()[0] == doctest::Approx(-1.2247).epsilon(1e-3));
    CHECK(lab.load_tensor({2, 3}, {1, 2}) == "the tensor has 2 values but its shape holds 6");
    CHECK(lab.load_tensor({65, 2}, std::vector<float>(130, 1.f)) == "B = 65 is outside 1..64");
    CHECK(lab.load_tensor({1, 2, 17, 1}, std::vector<float>(34, 1.f)) == "H = 17 is outside 1..16");
    CHECK(lab.load_tensor({1, 2, 2, 2}, std::vector<float>(8, 1.f)) == "");
    CHECK(lab.config().layout == sim::Layout::Image);
}
