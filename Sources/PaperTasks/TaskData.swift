import Foundation

/// The digits and their three-way split, shared by every task and seed.
package struct TaskData: Sendable {
    package var digits: DigitImages
    package var split: ImageSplit
    package var splitSeed: UInt64
    package var testFraction: Double
    package var validationFraction: Double

    /// The committed split: 25 % of each class's images for test (the same
    /// test images as the earlier two-way split), 20 % of the rest for
    /// validation, the rest for training.
    package static let defaultSplitSeed: UInt64 = 0x0D16_1757

    package init(digits: DigitImages, testFraction: Double = 0.25, validationFraction: Double = 0.2, splitSeed: UInt64 = defaultSplitSeed) {
        self.digits = digits
        self.testFraction = testFraction
        self.validationFraction = validationFraction
        self.splitSeed = splitSeed
        split = digits.split(testFraction: testFraction, validationFraction: validationFraction, seed: splitSeed)
    }

    package var summary: SplitSummary {
        SplitSummary(
            seed: splitSeed, testFraction: testFraction, validationFraction: validationFraction, train: split.train.count,
            validation: split.validation.count, test: split.test.count)
    }

    /// The fixed evaluation sequences of one side: they depend on the side,
    /// `n` and the split seed only, never on the run's seed or operator.
    package func sequences(_ side: Side, count sequences: Int, length n: Int) -> NumberBatch {
        var generator = SplitMix(seed: streamSeed(splitSeed, side == .test ? 1 : 2, UInt64(n)))
        return NumberBatch(
            batch: sequences, count: n, pool: side == .test ? split.test : split.validation, digits: digits, generator: &generator)
    }

    package enum Side: Sendable { case validation, test }
}
