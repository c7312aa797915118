import Testing
@testable import SynthMath

struct StatisticsTests {
    /// Student's t against scipy.stats.t (ppf, 2·sf) and a paired test against
    /// scipy.stats.ttest_1samp on the differences; Holm's adjustment by hand.
    @Test func studentTAndThePairedTestMatchScipy() throws {
        #expect(abs(StudentT.quantile(0.975, df: 4) - 2.7764451051977934) < 1e-9)
        #expect(abs(StudentT.quantile(0.975, df: 1) - 12.706204736174694) < 1e-8)
        #expect(abs(StudentT.quantile(0.975, df: 29) - 2.045229642132703) < 1e-9)
        #expect(abs(StudentT.quantile(0.025, df: 4) + 2.7764451051977934) < 1e-9)
        #expect(abs(StudentT.twoSidedTail(2, df: 5) - 0.10193947882985835) < 1e-12)
        #expect(abs(StudentT.twoSidedTail(0.5, df: 2) - 0.6666666666666667) < 1e-12)
        #expect(abs(StudentT.twoSidedTail(-4, df: 10) - 0.0025183326247366945) < 1e-12)
        let test = try #require(PairedTTest([0.02, 0.035, 0.01, 0.028, 0.015]))
        #expect(abs(test.p - 0.00850643206076111) < 1e-12)
        #expect(abs(test.low - 0.009164749005795407) < 1e-10 && abs(test.high - 0.0340352509942046) < 1e-10)
        #expect(abs(test.mean - 0.0216) < 1e-15)
        #expect(PairedTTest([0.3]) == nil)
        #expect(PairedTTest([0.2, 0.2])?.p == 0 && PairedTTest([0, 0])?.p == 1)
        let holm = PairedTTest.holm([0.01, 0.04, 0.03, 0.2])
        #expect(zip(holm, [0.04, 0.09, 0.09, 0.2]).allSatisfy { abs($0 - $1) < 1e-15 }, "\(holm)")
    }

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

    /// Values near the largest double, or under 1e-150, have a finite mean and sd (their squares
    /// would overflow or vanish); ordinary values are summed as they always were.
    @Test func meanAndSpreadOfExtremeValues() throws {
        let (bigMean, bigSD) = try #require(meanAndStandardDeviation([1e308, 1.5e308, 1.7e308]))
        #expect(abs(bigMean / 1.4e308 - 1) < 1e-12 && abs(bigSD / (0.360555127546399e308) - 1) < 1e-12, "\(bigMean) \(bigSD)")
        let (tinyMean, tinySD) = try #require(meanAndStandardDeviation([1e-300, 3e-300]))
        #expect(abs(tinyMean / 2e-300 - 1) < 1e-12 && abs(tinySD / 1.4142135623730951e-300 - 1) < 1e-12, "\(tinyMean) \(tinySD)")
        let (mean, sd) = try #require(meanAndStandardDeviation([1, 2, 3, 4]))
        #expect(mean == 2.5 && sd == (5.0 / 3).squareRoot())
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

    /// Bytes given in pieces of any sizes hash as the same bytes given at once.
    @Test func piecesHashAsTheWhole() {
        var random = Philox(seed: 7, stream: 0)
        let bytes = (0..<10_000).map { _ in UInt8(truncatingIfNeeded: random.nextInt(below: 256)) }
        let whole = SHA256.hex(bytes)
        for sizes in [[1], [63, 1, 64, 65], [7, 200, 3], [4096]] {
            var hasher = SHA256()
            var start = 0, turn = 0
            while start < bytes.count {
                let end = min(bytes.count, start + sizes[turn % sizes.count])
                hasher.update(bytes[start..<end])
                start = end
                turn += 1
            }
            #expect(hasher.finalizeHex() == whole, "\(sizes)")
        }
    }
}
