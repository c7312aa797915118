import Foundation
import SynthMath
import Testing

/// The vectorized exp and log against the C library, in units in the last place of the C
/// library's result, on a million points spread over each function's useful range.
@Suite("Vectorized exp and log")
struct VectorMathTests {
    static func ulps(_ a: Float, _ reference: Float) -> Float { a == reference ? 0 : Swift.abs(a - reference) / reference.ulp }

    @Test func singlePrecisionExpIsWithinTwoUlpsOfTheCLibrary() {
        var worst: Float = 0
        var values = (0..<1_000_000).map { -103 + Float($0) / 1_000_000 * 191.7 }
        let inputs = values
        values.withUnsafeMutableBufferPointer { VectorMath.exp($0) }
        for (x, y) in zip(inputs, values) where Foundation.exp(x).isNormal {
            worst = Swift.max(worst, Self.ulps(y, Foundation.exp(x)))
        }
        #expect(worst <= 2, "worst error \(worst) ulp")
        let special = VectorMath.exp(SIMD8<Float>(0, 1, -1, 89, -104, 200, -200, -90))
        #expect(special[0] == 1 && Self.ulps(special[1], Float(M_E)) <= 1 && special[4] == 0 && special[6] == 0)
        #expect(special[3] > 3.3e38 && special[3].isFinite && special[5] == special[3])
        #expect(special[7] > 0 && special[7] < Float.leastNormalMagnitude, "subnormal results below −87.3")
    }

    @Test func singlePrecisionLogIsWithinTwoUlpsOfTheCLibrary() {
        var worst: Float = 0
        // Uniforms in (0, 1) as the Gumbel noise draws them, and their negated logarithms (up to 17).
        var values = (1...1_000_000).map { Float($0) / 1_000_001 } + (1...1_000_000).map { Float($0) * 1.7e-5 }
        values += [Float.leastNormalMagnitude, 1e-30, 3e38, 1, 2, 0.5]
        let inputs = values
        values.withUnsafeMutableBufferPointer { VectorMath.log($0) }
        for (x, y) in zip(inputs, values) { worst = Swift.max(worst, Self.ulps(y, Foundation.log(x))) }
        #expect(worst <= 2, "worst error \(worst) ulp")
        let special = VectorMath.log(SIMD8<Float>(1, 0, -1, 1, 1, 1, 1, 1))
        #expect(special[0] == 0 && special[1] == -.infinity && special[2].isNaN)
    }

    @Test func doublePrecisionExpIsWithinTwoUlpsOfTheCLibrary() {
        var worst = 0.0
        var values = (0..<1_000_000).map { -745 + Double($0) / 1_000_000 * 1454 }
        let inputs = values
        values.withUnsafeMutableBufferPointer { VectorMath.exp($0) }
        for (x, y) in zip(inputs, values) where Foundation.exp(x).isNormal {
            let reference = Foundation.exp(x)
            worst = Swift.max(worst, Swift.abs(y - reference) / reference.ulp)
        }
        #expect(worst <= 2, "worst error \(worst) ulp")
        let special = VectorMath.exp(SIMD4<Double>(0, -800, 800, 1))
        #expect(special[0] == 1 && special[1] == 0 && special[2] > 1.7e308 && special[2].isFinite && Swift.abs(special[3] - M_E) <= 2 * M_E.ulp)
    }

    @Test func aValuesResultDoesNotDependOnItsPositionInTheArray() {
        // The tail of an array (fewer than eight values) goes through the same vector code.
        let inputs: [Float] = (0..<13).map { Float($0) * 0.37 - 2 }
        var whole = inputs
        whole.withUnsafeMutableBufferPointer { VectorMath.exp($0) }
        for start in 0..<inputs.count {
            var part = Array(inputs[start...])
            part.withUnsafeMutableBufferPointer { VectorMath.exp($0) }
            #expect(part == Array(whole[start...]))
        }
    }
}
