// tests/kernels/test_plan.cpp: the (O, P, Q, M) grouping, group_of, channel_of, names, and the
// one-line error messages of plan_groups / normalize.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "norm_test_util.h"

namespace {

using namespace normlab;
using core::Shape;
using kernels::GroupPlan;
using kernels::NormKind;
using kernels::NormSpec;

constexpr NormKind kKinds[] = {NormKind::Batch, NormKind::Layer, NormKind::Rms, NormKind::Group,
                               NormKind::Instance};

GroupPlan plan_of(NormKind kind, const Shape& s, int groups = 1) {
    GroupPlan p;
    const std::string err = kernels::plan_groups(s, NormSpec{.kind = kind, .groups = groups}, &p);
    REQUIRE_MESSAGE(err.empty(), err);
    return p;
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("plan: names round-trip through ids") {
    for (NormKind k : kKinds) {
        NormKind parsed = NormKind::Layer;
        CHECK(kernels::parse_norm_id(kernels::norm_id(k), &parsed));
        CHECK(parsed == k);
    }
    CHECK(std::string(kernels::norm_name(NormKind::Rms)) == "RMSNorm");
    CHECK(std::string(kernels::norm_id(NormKind::Instance)) == "instancenorm");
    CHECK_FALSE(kernels::parse_norm_id("LayerNorm", nullptr)); // ids are lower case
    CHECK_FALSE(kernels::parse_norm_id("", nullptr));
    kernels::Impl impl = kernels::Impl::Simd;
    CHECK(kernels::parse_impl_name("reference", &impl));
    CHECK(impl == kernels::Impl::Reference);
    CHECK(std::string(kernels::impl_name(kernels::Impl::Simd)) == "simd");
    CHECK_FALSE(kernels::parse_impl_name("fast", &impl));
}

TEST_CASE("plan: canonical views of every family and rank") {
    const struct {
        NormKind kind;
        Shape shape;
        int groups;
        std::size_t o, p, q, m; // the expected (O, P, Q, M)
    } cases[] = {
        {NormKind::Batch, Shape::matrix(4, 8), 1, 1, 4, 8, 1},
        {NormKind::Batch, Shape::sequence(4, 3, 8), 1, 1, 12, 8, 1},
        {NormKind::Batch, Shape::image(4, 3, 2, 5), 1, 1, 4, 3, 10},
        {NormKind::Layer, Shape::matrix(4, 8), 1, 4, 1, 1, 8},
        {NormKind::Layer, Shape::sequence(4, 3, 8), 1, 12, 1, 1, 8},
        {NormKind::Rms, Shape::image(4, 3, 2, 5), 1, 4, 1, 1, 30},
        {NormKind::Group, Shape::matrix(4, 8), 2, 4, 1, 2, 4},
        {NormKind::Group, Shape::sequence(4, 3, 8), 4, 4, 3, 4, 2},
        {NormKind::Group, Shape::image(4, 6, 2, 5), 3, 4, 1, 3, 20},
        {NormKind::Instance, Shape::sequence(4, 3, 8), 1, 4, 3, 8, 1},
        {NormKind::Instance, Shape::image(4, 3, 2, 5), 1, 4, 1, 3, 10},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(kernels::norm_name(c.kind)));
        CAPTURE(c.shape.str());
        const GroupPlan p = plan_of(c.kind, c.shape, c.groups);
        CHECK(p.outer == c.o);
        CHECK(p.pre == c.p);
        CHECK(p.groups == c.q);
        CHECK(p.inner == c.m);
        CHECK(p.group_count() * p.group_size() == c.shape.size());
    }
}

TEST_CASE("plan: group_of gives every group exactly group_size cells") {
    for (NormKind kind : kKinds) {
        for (const Shape& s :
             {Shape::matrix(3, 6), Shape::sequence(2, 5, 6), Shape::image(2, 6, 3, 2)}) {
            if (kind == NormKind::Instance && s.rank == 2) continue;
            const GroupPlan p = plan_of(kind, s, 3);
            std::vector<std::size_t> count(p.group_count(), 0);
            for (std::size_t i = 0; i < s.size(); ++i) {
                const std::size_t g = kernels::group_of(p, i);
                REQUIRE(g < p.group_count());
                ++count[g];
            }
            for (std::size_t c : count)
                CHECK(c == p.group_size());
        }
    }
}

TEST_CASE("plan: group_of follows each family's definition") {
    // BatchNorm (B,d): a column is one group, numbered by its channel.
    {
        const GroupPlan p = plan_of(NormKind::Batch, Shape::matrix(5, 4));
        for (std::size_t b = 0; b < 5; ++b)
            for (std::size_t c = 0; c < 4; ++c)
                CHECK(kernels::group_of(p, b * 4 + c) == c);
    }
    // LayerNorm (B,L,d): one group per token.
    {
        const GroupPlan p = plan_of(NormKind::Layer, Shape::sequence(2, 3, 4));
        for (std::size_t i = 0; i < 24; ++i)
            CHECK(kernels::group_of(p, i) == i / 4);
    }
    // InstanceNorm (B,C,H,W): one group per (example, channel) plane.
    {
        const GroupPlan p = plan_of(NormKind::Instance, Shape::image(2, 3, 2, 2));
        for (std::size_t i = 0; i < 24; ++i)
            CHECK(kernels::group_of(p, i) == i / 4);
    }
    // InstanceNorm (B,L,d): one group per (example, channel), across the L positions.
    {
        const GroupPlan p = plan_of(NormKind::Instance, Shape::sequence(2, 3, 4));
        for (std::size_t b = 0; b < 2; ++b)
            for (std::size_t l = 0; l < 3; ++l)
                for (std::size_t c = 0; c < 4; ++c)
                    CHECK(kernels::group_of(p, (b * 3 + l) * 4 + c) == b * 4 + c);
    }
    // GroupNorm (B,C,H,W), G = 2 of C = 6: channels 0-2 and 3-5 of each example.
    {
        const GroupPlan p = plan_of(NormKind::Group, Shape::image(2, 6, 1, 2), 2);
        for (std::size_t b = 0; b < 2; ++b)
            for (std::size_t c = 0; c < 6; ++c)
                for (std::size_t w = 0; w < 2; ++w)
                    CHECK(kernels::group_of(p, (b * 6 + c) * 2 + w) == b * 2 + c / 3);
    }
    // BatchNorm (B,C,H,W): a channel across all examples and positions.
    {
        const GroupPlan p = plan_of(NormKind::Batch, Shape::image(3, 2, 2, 2));
        for (std::size_t i = 0; i < 24; ++i)
            CHECK(kernels::group_of(p, i) == (i / 4) % 2);
    }
}

TEST_CASE("plan: channel_of is the last axis for rank 2/3 and axis 1 for rank 4") {
    CHECK(kernels::channel_of(Shape::matrix(3, 5), 7) == 2);
    CHECK(kernels::channel_of(Shape::sequence(2, 3, 5), 29) == 4);
    CHECK(kernels::channel_of(Shape::image(2, 3, 2, 2), 0) == 0);
    CHECK(kernels::channel_of(Shape::image(2, 3, 2, 2), 5) == 1);
    CHECK(kernels::channel_of(Shape::image(2, 3, 2, 2), 12) == 0); // example 1, channel 0
}

TEST_CASE("plan: error messages name the problem") {
    GroupPlan p;
    SUBCASE("bad shapes") {
        Shape rank1;
        rank1.rank = 1;
        CHECK(contains(kernels::plan_groups(rank1, NormSpec{}, &p), "rank 1"));
        Shape rank5;
        rank5.rank = 5;
        CHECK(contains(kernels::plan_groups(rank5, NormSpec{}, &p), "rank 5"));
        const std::string zero = kernels::plan_groups(Shape::matrix(4, 0), NormSpec{}, &p);
        CHECK(contains(zero, "(4, 0)"));
        CHECK(contains(zero, "dimension < 1"));
        CHECK(contains(kernels::plan_groups(Shape::image(2, -3, 1, 1), NormSpec{}, &p),
                       "dimension < 1"));
    }
    SUBCASE("bad groups") {
        const std::string g0 = kernels::plan_groups(
            Shape::image(2, 6, 2, 2), NormSpec{.kind = NormKind::Group, .groups = 0}, &p);
        CHECK(contains(g0, "groups must be >= 1"));
        const std::string g4 = kernels::plan_groups(
            Shape::image(2, 6, 2, 2), NormSpec{.kind = NormKind::Group, .groups = 4}, &p);
        CHECK(contains(g4, "groups 4 does not divide"));
        CHECK(contains(g4, "6 channels"));
        // groups is GroupNorm's alone; other families ignore it.
        CHECK(kernels::plan_groups(Shape::matrix(2, 6),
                                   NormSpec{.kind = NormKind::Layer, .groups = 4}, &p)
                  .empty());
    }
    SUBCASE("bad eps") {
        CHECK(contains(kernels::plan_groups(Shape::matrix(2, 3), NormSpec{.eps = -1e-5f}, &p),
                       "eps must be"));
        CHECK(contains(kernels::plan_groups(Shape::matrix(2, 3), NormSpec{.eps = NAN}, &p),
                       "eps must be"));
        CHECK(contains(kernels::plan_groups(Shape::matrix(2, 3),
                                            NormSpec{.eps = std::numeric_limits<float>::infinity()},
                                            &p),
                       "finite"));
    }
    SUBCASE("InstanceNorm needs spatial axes") {
        const std::string e =
            kernels::plan_groups(Shape::matrix(4, 8), NormSpec{.kind = NormKind::Instance}, &p);
        CHECK(contains(e, "InstanceNorm"));
        CHECK(contains(e, "rank 2"));
        CHECK(contains(e, "(4, 8)"));
    }
}

TEST_CASE("plan: normalize reports errors and leaves y untouched") {
    const std::vector<float> x(8, 1.0f);
    std::vector<float> y(8, 42.0f);
    const std::string e =
        kernels::normalize(NormSpec{.kind = NormKind::Instance},
                           core::TensorView{.data = x.data(), .shape = Shape::matrix(2, 4)},
                           y.data(), nullptr, nullptr, nullptr, kernels::Impl::Simd);
    CHECK(contains(e, "InstanceNorm"));
    for (float v : y)
        CHECK(v == 42.0f);
    CHECK(contains(kernels::normalize(
                       NormSpec{}, core::TensorView{.data = nullptr, .shape = Shape::matrix(2, 4)},
                       y.data(), nullptr, nullptr, nullptr),
                   "x is null"));
    CHECK(contains(kernels::normalize(
                       NormSpec{}, core::TensorView{.data = x.data(), .shape = Shape::matrix(2, 4)},
                       nullptr, nullptr, nullptr, nullptr),
                   "y is null"));
}

TEST_CASE("plan: trace is sized to the group count") {
    const Shape s = Shape::image(3, 4, 2, 2);
    const auto x = test::random_floats(s.size(), 5);
    for (NormKind kind : kKinds) {
        const auto r =
            test::run_norm(NormSpec{.kind = kind, .groups = 2}, s, x, kernels::Impl::Simd);
        REQUIRE(r.error.empty());
        const GroupPlan p = plan_of(kind, s, 2);
        CHECK(r.trace.mean.size() == p.group_count());
        CHECK(r.trace.var.size() == p.group_count());
        CHECK(r.trace.rms.size() == p.group_count());
        CHECK(r.trace.inv_std.size() == p.group_count());
    }
}
