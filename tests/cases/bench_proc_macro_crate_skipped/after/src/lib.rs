use proc_macro::TokenStream;

mod case;

#[proc_macro_derive(Interval)]
pub fn derive_interval(input: TokenStream) -> TokenStream {
    case::Case::Snake.apply(input)
}
