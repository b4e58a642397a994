// A cfg-alias macro: what it wraps is compiled only on unix.
macro_rules! cfg_unix {
    ($($item:item)*) => {
        $(
            #[cfg(unix)]
            $item
        )*
    }
}
