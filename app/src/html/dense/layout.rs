//! How dense mode lays nodes out: a few nodes share the width as grid columns; many flow as
//! newspaper columns, each node box as tall as its own marks (a grid row is as tall as its
//! fullest node, which at 1,000 nodes wastes half a wall screen), with marks as large as
//! still fit a 1920x1080 wall screen, hostnames shown only while they fit too.
//!
//! The estimate mirrors style/main.css (`.grid.dense.cols`): keep the constants in step.

/// Up to this many node boxes, grid columns.
pub const GRID_NODES: usize = 24;
/// Marks per row that a column is sized for (it may hold more when the screen is wider).
pub const PER_ROW: u32 = 12;
/// A node box's vertical chrome: 2 px padding and 1 px border each side, 2 px below it.
const CHROME_Y: u32 = 8;
/// Its horizontal chrome: padding and border.
const CHROME_X: u32 = 6;
const COLUMN_GAP: u32 = 4;
/// What a kiosk page leaves the grid of a 1920x1080 screen (its top bar and margins off,
/// and some slack).
const SCREEN_W: u32 = 1850;
const SCREEN_H: u32 = 960;
/// Mark sizes tried, largest first: with hostnames, then without (at those sizes the boxes
/// are too small for a readable name; each box's title still says it).
const LABELLED: [u8; 8] = [16, 14, 12, 10, 9, 8, 7, 6];
const UNLABELLED: [u8; 3] = [6, 5, 4];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// Node boxes as grid columns sharing the width; marks sized by the type (CSS).
    #[default]
    Grid,
    /// Node boxes in newspaper columns; marks `mark_px` square.
    Columns { mark_px: u8, labels: bool },
}

impl Layout {
    /// For a node box per entry, holding that many marks.
    pub fn choose(slots: &[usize]) -> Layout {
        if slots.len() <= GRID_NODES {
            return Layout::Grid;
        }
        let labelled = LABELLED.iter().map(|&px| (px, true));
        let unlabelled = UNLABELLED.iter().map(|&px| (px, false));
        labelled
            .chain(unlabelled)
            .find(|&(px, labels)| height(slots, px, labels) <= SCREEN_H)
            .map(|(mark_px, labels)| Layout::Columns { mark_px, labels })
            .unwrap_or(Layout::Columns {
                mark_px: UNLABELLED[UNLABELLED.len() - 1],
                labels: false,
            })
    }

    /// The grid's inline style: the mark size, for the CSS to size everything from.
    pub fn style(self) -> String {
        match self {
            Layout::Grid => String::new(),
            Layout::Columns { mark_px, .. } => format!("--m: {mark_px}px"),
        }
    }

    pub fn columns(self) -> bool {
        matches!(self, Layout::Columns { .. })
    }

    pub fn labels(self) -> bool {
        !matches!(self, Layout::Columns { labels: false, .. })
    }
}

/// The estimated height of the columns: every box's height over the number of columns
/// (the browser balances them), plus the tallest box (balancing is by whole boxes).
pub fn height(slots: &[usize], mark_px: u8, labels: bool) -> u32 {
    let pitch = u32::from(mark_px) + 1;
    let column_width = PER_ROW * pitch - 1 + CHROME_X;
    let columns = ((SCREEN_W + COLUMN_GAP) / (column_width + COLUMN_GAP)).max(1);
    // The heading: font-size m + 4 px, line-height 1.25, 1 px below.
    let label = if labels {
        (u32::from(mark_px) + 4) * 5 / 4 + 2
    } else {
        0
    };
    let boxes = slots.iter().map(|&n| {
        let rows = u32::try_from(n).unwrap_or(u32::MAX).div_ceil(PER_ROW);
        label + (rows * pitch).saturating_sub(1) + CHROME_Y
    });
    let (total, tallest) = boxes.fold((0u32, 0u32), |(total, tallest), h| {
        (total.saturating_add(h), tallest.max(h))
    });
    total / columns + tallest
}
