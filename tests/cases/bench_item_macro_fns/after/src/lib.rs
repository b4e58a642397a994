macro_rules! cfg_net {
    ($($item:item)*) => {
        $( #[cfg(feature = "net")] $item )*
    }
}

pub struct TcpListener;

cfg_net! {
    pub fn lookup_host(_h: &str) {}

    impl TcpListener {
        pub fn bind(_addr: &str) -> TcpListener {
            TcpListener
        }

        pub fn accept(&self) {}
    }

    crate::feature! {
        pub fn nested_inside() {}
    }
}

impl TcpListener {
    cfg_net! {
        pub fn local_addr(&self) {}
    }
}

thread_local! {
    static DEPTH: u8 = 0;
}

some_dsl! {
    name = pub fn not_an_item();
}

#[cfg(test)]
cfg_net! {
    pub fn test_only() {}
}
