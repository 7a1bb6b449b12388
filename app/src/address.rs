//! The page's address. One page, so no router: the path is "/" or nothing, and the query
//! holds the filters, read from the request on the server and from the location in the
//! browser. A change of filters replaces the address in place (no history entry, no
//! scroll), as the toggles did through the router.

use crate::view::Filters;
#[cfg(any(feature = "ssr", feature = "hydrate"))]
use leptos::prelude::*;

/// The filters as the address says, shared by the page through context.
#[cfg(any(feature = "ssr", feature = "hydrate"))]
#[derive(Clone, Copy)]
pub struct Address {
    filters: RwSignal<Filters>,
}

/// The request's (server) or the location's (browser) path and query.
#[cfg(any(feature = "ssr", feature = "hydrate"))]
fn current() -> (String, String) {
    #[cfg(feature = "ssr")]
    return use_context::<crate::audience::PageRequest>()
        .map(|r| (r.path, r.query))
        .unwrap_or_default();
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        let location = window().location();
        let query = location.search().unwrap_or_default();
        return (
            location.pathname().unwrap_or_default(),
            query.trim_start_matches('?').to_string(),
        );
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    (String::new(), String::new())
}

/// Whether the address is the one page there is.
#[cfg(any(feature = "ssr", feature = "hydrate"))]
pub fn is_the_page() -> bool {
    matches!(current().0.as_str(), "" | "/")
}

/// The filters a query string asks for (percent-decoded, unknown keys ignored).
pub fn filters_of(query: &str) -> Filters {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    Filters::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

#[cfg(any(feature = "ssr", feature = "hydrate"))]
impl Address {
    /// Reads the address once and provides it to the page.
    pub fn provide() -> Address {
        let address = Address {
            filters: RwSignal::new(filters_of(&current().1)),
        };
        provide_context(address);
        address
    }

    pub fn filters(self) -> Memo<Filters> {
        Memo::new(move |_| self.filters.get())
    }
}

/// Goes to the page with other filters, replacing the current address.
#[cfg(any(feature = "ssr", feature = "hydrate"))]
pub fn navigator() -> impl Fn(Filters) + Clone + 'static {
    let address = expect_context::<Address>();
    move |filters: Filters| {
        #[cfg(feature = "hydrate")]
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&filters.href()),
            );
        }
        address.filters.set(filters);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries() {
        let cases = [
            ("", Filters::default()),
            (
                "running=0",
                Filters {
                    running_only: false,
                    ..Filters::default()
                },
            ),
            (
                "service=web%2Dapp&dense=1",
                Filters {
                    highlight: Some("web-app".into()),
                    dense: Some(true),
                    ..Filters::default()
                },
            ),
            (
                "service=a+b&bogus=%ZZ",
                Filters {
                    highlight: Some("a b".into()),
                    ..Filters::default()
                },
            ),
        ];
        for (query, want) in cases {
            assert_eq!(filters_of(query), want, "{query}");
        }
        // What the page writes, it reads back.
        let f = filters_of("service=echo&group=stack&running=0");
        assert_eq!(filters_of(&f.to_query()), f);
    }
}
