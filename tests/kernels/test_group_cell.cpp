// tests/kernels/test_group_cell.cpp: group_cell enumerates exactly the cells group_of assigns.
#include <doctest/doctest.h>

#include <vector>

#include "kernels/norm.h"

using namespace normlab;
using kernels::NormKind;

TEST_CASE("group_cell: the inverse of group_of for every family and layout") {
    const core::Shape shapes[] = {core::Shape::matrix(3, 6), core::Shape::sequence(2, 3, 4),
                                  core::Shape::image(2, 6, 2, 3)};
    for (const core::Shape& s : shapes)
        for (NormKind kind : {NormKind::Batch, NormKind::Layer, NormKind::Rms, NormKind::Group, NormKind::Instance}) {
            kernels::GroupPlan plan;
            if (!kernels::plan_groups(s, {.kind = kind, .groups = 3}, &plan).empty()) continue;
            std::vector<int> seen(s.size(), 0);
            for (std::size_t g = 0; g < plan.group_count(); ++g)
                for (std::size_t k = 0; k < plan.group_size(); ++k) {
                    const std::size_t f = kernels::group_cell(plan, g, k);
                    REQUIRE(f < s.size());
                    CHECK(kernels::group_of(plan, f) == g);
                    ++seen[f];
                    if (k > 0) CHECK(f > kernels::group_cell(plan, g, k - 1));  // row-major order
                }
            for (int n : seen) CHECK(n == 1);   // every cell in exactly one group
        }
}
