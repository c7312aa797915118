import Testing
@testable import SynthMath

struct StatisticsTests {
    @Test func ksOnHandComputedCases() {
        // Disjoint samples: the CDFs are 1 apart between them.
        #expect(ksStatistic([1, 2, 3], [4, 5]) == 1)
        // Identical samples.
        #expect(ksStatistic([1, 2, 2, 3], [3, 2, 1, 2]) == 0)
        // Ties across samples: at x = 1, F1 = 2/4 and F2 = 1/2 → 0; at x = 2, F1 = 3/4 and
        // F2 = 2/2 → 1/4; at x = 3 both are 1.
        #expect(ksStatistic([1, 1, 2, 3], [1, 2]) == 0.25)
        #expect(ksStatistic([0, 0, 0, 5], [5, 5]) == 0.75)
        #expect(ksStatistic([], [1]) == nil)
    }

    @Test func quantileInterpolates() {
        #expect(interpolatedQuantile(sorted: [0, 10], 0.25) == 2.5)
        #expect(interpolatedQuantile(sorted: [1, 2, 3], 1) == 3)
        #expect(interpolatedQuantile(sorted: [7], 0.5) == 7)
    }

    @Test func meanAndDeviation() throws {
        let summary = try #require(meanAndStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9]))
        #expect(summary.mean == 5)
        #expect(abs(summary.standardDeviation - 2.138089935299395) < 1e-12)
    }
}
