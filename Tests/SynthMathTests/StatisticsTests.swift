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

struct SHA256Tests {
    @Test func knownDigests() {
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
