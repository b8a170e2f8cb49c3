//! Byte offsets to 1-based line:column.
//!
//! roxmltree's `Document::text_pos_at` rescans the text from the start on
//! every call, which is quadratic over a large model; this index answers in
//! O(log lines + line length) with the same counting (lines split at `\n`,
//! columns in characters).

/// Start offsets of every line of a text.
pub(super) struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(offset, _)| offset + 1))
            .collect();
        LineIndex { text, line_starts }
    }

    /// The 1-based (line, column) of a byte offset; offsets past the end
    /// map to the end of the text.
    pub(super) fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        };
        let line_start = self.line_starts.get(line).copied().unwrap_or(0);
        let column = self
            .text
            .get(line_start..offset)
            .map_or(0, |prefix| prefix.chars().count());
        (to_u32(line + 1), to_u32(column + 1))
    }

    /// The position just after the last character.
    pub(super) fn end(&self) -> (u32, u32) {
        self.position(self.text.len())
    }
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn agrees_with_roxmltree() {
        let text = "<?xml version=\"1.0\"?>\r\n<a>\n  <bé/>\n\t<c>ü</c><d/>\n</a>";
        let doc = roxmltree::Document::parse(text).expect("test document is well-formed");
        let index = LineIndex::new(text);
        for node in doc.descendants() {
            let start = node.range().start;
            let expected = doc.text_pos_at(start);
            assert_eq!(
                index.position(start),
                (expected.row, expected.col),
                "{node:?}"
            );
        }
        assert_eq!(index.end(), (5, 5));
    }
}
