import Foundation

/// The handwritten digits every task reads: scikit-learn's copy of
/// UCI optdigits (data/digits/README.md), 1797 images of 8 x 8 pixels in
/// 0 ... 16, with their labels.
package struct DigitImages: Sendable {
    /// `count x 64` pixels scaled to [0, 1], image `k` at `k * 64`, row-major.
    package var pixels: [Float]
    /// The digit each image shows, 0 ... 9.
    package var labels: [Int]

    package var count: Int { labels.count }

    package init(pixels: [Float], labels: [Int]) {
        self.pixels = pixels
        self.labels = labels
    }

    /// The committed file, found from the working directory (a clone's root),
    /// then from this source file's location (a build in place elsewhere).
    package static func defaultPath() -> String {
        let relative = "data/digits/optdigits-8x8.txt"
        if FileManager.default.fileExists(atPath: relative) { return relative }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(relative).path
    }

    /// Reads data/digits/optdigits-8x8.txt: per line a label, a space and 64
    /// pixels, each one base-17 character `0-9a-g`.
    package static func load(path: String) throws -> DigitImages {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw TaskError("cannot read \(path) (\(error.localizedDescription)); run from the repository root or pass --data")
        }
        var pixels: [Float] = []
        var labels: [Int] = []
        for (number, line) in text.split(separator: "\n").enumerated() {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let label = Int(fields[0]), (0...9).contains(label), fields[1].utf8.count == 64
            else { throw TaskError("\(path):\(number + 1): expected a label and 64 pixels") }
            for c in fields[1].utf8 {
                let value: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "g"): value = c - UInt8(ascii: "a") + 10
                default: throw TaskError("\(path):\(number + 1): pixel '\(Character(Unicode.Scalar(c)))' is not 0-9a-g")
                }
                pixels.append(Float(value) / 16)
            }
            labels.append(label)
        }
        guard !labels.isEmpty else { throw TaskError("\(path): no images") }
        return DigitImages(pixels: pixels, labels: labels)
    }

    /// Splits the images, not the numbers, three ways, per digit class: a
    /// shuffled `testFraction` of each class's images is the test side, then a
    /// shuffled `validationFraction` of the rest is the validation side, the
    /// remainder the training side. Test numbers are made of images no model
    /// saw in training or selection. The split depends on `seed` only; the
    /// test side is the same for every `validationFraction`.
    ///
    /// - Returns: sorted image indices of the three sides, disjoint, covering every image.
    package func split(testFraction: Double, validationFraction: Double, seed: UInt64) -> ImageSplit {
        var generator = SplitMix(seed: seed)
        var split = ImageSplit(train: [], validation: [], test: [])
        for digit in 0...9 {
            var images = labels.indices.filter { labels[$0] == digit }
            images.shuffle(using: &generator)
            let testCount = Int((Double(images.count) * testFraction).rounded())
            split.test += images[..<testCount]
            // No further draws: the validation side is the head of the same shuffle's remainder.
            let rest = Array(images[testCount...])
            let validationCount = Int((Double(rest.count) * validationFraction).rounded())
            split.validation += rest[..<validationCount]
            split.train += rest[validationCount...]
        }
        split.train.sort()
        split.validation.sort()
        split.test.sort()
        return split
    }
}

/// Image indices of the training, validation and test sides.
package struct ImageSplit: Sendable, Equatable {
    package var train: [Int]
    package var validation: [Int]
    package var test: [Int]
}

package struct TaskError: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// Batches of "large numbers": four digit images side by side, an 8 x 32
/// image whose value is the four-digit number (leading zeros allowed, as
/// with the paper's four random MNIST digits).
package struct NumberBatch: Sendable {
    /// `batch x count` images of 8 x 32 pixels, image `(b, j)` at `(b * count + j) * 256`, row-major.
    package var images: [Float]
    /// `batch x count` values, 0 ... 9999.
    package var values: [Int]
    /// `batch x count`: `targets[b * count + i]` is the column of the `i`-th
    /// largest value of row `b` (a stable sort: the true permutation).
    package var targets: [Int]
    package var batch: Int
    package var count: Int

    /// `batch` sequences of `count` numbers, each digit an image drawn from
    /// `pool`; with `shift`, each digit image moved by a random whole number
    /// of pixels in `-shift ... shift` in each direction (zeros shifted in).
    package init(batch: Int, count: Int, pool: [Int], digits: DigitImages, shift: Int = 0, generator: inout SplitMix) {
        self.batch = batch
        self.count = count
        images = [Float](repeating: 0, count: batch * count * 256)
        values = [Int](repeating: 0, count: batch * count)
        targets = [Int](repeating: 0, count: batch * count)
        for number in 0..<batch * count {
            var value = 0
            for slot in 0..<4 {
                let image = pool[Int(generator.next() % UInt64(pool.count))]
                value = value * 10 + digits.labels[image]
                let span = UInt64(2 * shift + 1)
                let dr = shift == 0 ? 0 : Int(generator.next() % span) - shift
                let dc = shift == 0 ? 0 : Int(generator.next() % span) - shift
                for r in 0..<8 where (0..<8).contains(r - dr) {
                    for c in 0..<8 where (0..<8).contains(c - dc) {
                        images[number * 256 + r * 32 + slot * 8 + c] = digits.pixels[image * 64 + (r - dr) * 8 + (c - dc)]
                    }
                }
            }
            values[number] = value
        }
        for b in 0..<batch {
            let row = values[b * count ..< (b + 1) * count]
            let order = (0..<count).sorted { row[row.startIndex + $0] > row[row.startIndex + $1] || (row[row.startIndex + $0] == row[row.startIndex + $1] && $0 < $1) }
            for i in 0..<count { targets[b * count + i] = order[i] }
        }
    }
}
