import Foundation
import Testing
@testable import SynthMath

struct PhiloxTests {
    // Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors).
    @Test func knownAnswers() {
        let zero = Philox.block(counter: 0, stream: 0, key: 0)
        #expect([zero.0, zero.1, zero.2, zero.3] == [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        let ones = Philox.block(counter: .max, stream: .max, key: .max)
        #expect([ones.0, ones.1, ones.2, ones.3] == [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD])
        let pi = Philox.block(counter: 0x85A3_08D3_243F_6A88, stream: 0x0370_7344_1319_8A2E, key: 0x299F_31D0_A409_3822)
        #expect([pi.0, pi.1, pi.2, pi.3] == [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1])
    }

    @Test func sameSeedSameStream() {
        var a = Philox(seed: 42).derive("column.3"), b = Philox(seed: 42).derive("column.3")
        let first = (0..<100).map { _ in a.next() }
        let second = (0..<100).map { _ in b.next() }
        #expect(first == second)
    }

    @Test func derivedStreamsDiffer() {
        var a = Philox(seed: 42).derive("column.3"), b = Philox(seed: 42).derive("column.4"), c = Philox(seed: 43).derive("column.3")
        let x = a.next(), y = b.next(), z = c.next()
        #expect(x != y && x != z && y != z)
        var d = Philox(seed: 1).derive(UInt64(0)), e = Philox(seed: 1).derive(UInt64(1))
        #expect(d.next() != e.next())
    }

    @Test func uniformMomentsAndRange() {
        var random = Philox(seed: 9)
        let draws = (0..<200_000).map { _ in random.nextUniform() }
        #expect(draws.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count)
        // Standard error of the mean is 0.29/sqrt(2e5) ≈ 6.5e-4: 5 SE bounds.
        #expect(abs(mean - 0.5) < 0.0033)
        #expect(abs(variance - 1.0 / 12) < 0.002)
    }

    @Test func laplaceHasTheRightScale() {
        var random = Philox(seed: 3)
        let scale = 2.0
        let draws = (0..<200_000).map { _ in random.nextLaplace(scale: scale) }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let meanAbsolute = draws.map(abs).reduce(0, +) / Double(draws.count)
        #expect(abs(mean) < 0.03)            // SE = sqrt(2)·2/sqrt(2e5) ≈ 0.0063
        #expect(abs(meanAbsolute - scale) < 0.03) // E|X| = b, SE ≈ 2/sqrt(2e5) ≈ 0.0045
    }

    @Test func indexFollowsWeights() {
        var random = Philox(seed: 5)
        var counts = [0, 0, 0]
        for _ in 0..<90_000 { counts[random.nextIndex(cumulative: [1, 3, 6])] += 1 }
        #expect(abs(Double(counts[0]) / 90_000 - 1.0 / 6) < 0.01)
        #expect(abs(Double(counts[1]) / 90_000 - 2.0 / 6) < 0.01)
        #expect(abs(Double(counts[2]) / 90_000 - 3.0 / 6) < 0.01)
    }

    /// The Float fast path never gives 0 or 1, even for the extreme words: Gumbel noise
    /// −log(−log u) and Box–Muller's log u stay finite.
    @Test func openUnitFloatsStayInsideTheInterval() {
        for word: UInt32 in [0, 1, 511, 512, UInt32.max - 511, UInt32.max - 1, UInt32.max] {
            let u = Philox.openUnitFloat(word)
            #expect(u > 0 && u < 1, "word \(word) gave \(u)")
            #expect((-Foundation.log(-Foundation.log(u))).isFinite && Foundation.log(u).isFinite)
        }
        #expect(Philox.openUnitFloat(UInt32.max) == 1 - 0x1.0p-24 && Philox.openUnitFloat(0) == 0x1.0p-24)
    }
}

@Suite("Philox fast path")
struct PhiloxFastPathTests {
    @Test func fillOpenUniformGivesEachWordInOrderWhateverTheBufferSizes() {
        // Words taken one block at a time, through the scalar bijection.
        let seed: UInt64 = 0xDEAD_BEEF, stream: UInt64 = 42
        var expected: [Float] = []
        for block in 0..<UInt64(200) {
            let w = Philox.block(counter: block, stream: stream, key: seed)
            expected += [w.0, w.1, w.2, w.3].map(Philox.openUnitFloat)
        }
        // Buffers of every size from 1 to 37, one after another (so the vector path starts
        // mid-block and ends with a tail).
        var random = Philox(seed: seed, stream: stream)
        var drawn: [Float] = []
        var size = 1
        while drawn.count + size <= expected.count {
            var buffer = [Float](repeating: 0, count: size)
            buffer.withUnsafeMutableBufferPointer { random.fillOpenUniform($0) }
            drawn += buffer
            size = size % 37 + 1
        }
        let firstDifference = zip(drawn, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil, "first differing value at \(firstDifference ?? -1)")
        #expect(drawn.count > 700)
    }
}
