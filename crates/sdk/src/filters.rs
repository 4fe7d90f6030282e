//! Filter algebra for a dashboard view: locked filters (from an embed token or the host) that no
//! operation can remove, plus the viewer's own filters, at most one per field.

use vantage_contract::Filter;

/// An operation on the viewer's filters.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterChange {
    /// Add a filter, replacing any existing one on the same field.
    Set(Filter),
    /// Remove the filter on this field.
    Remove(String),
    /// Remove every removable filter.
    Clear,
}

/// Why an operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("the filter on '{0}' is locked by the embed token and cannot be changed or removed")]
    Locked(String),
}

/// Locked plus user filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilterSet {
    locked: Vec<Filter>,
    user: Vec<Filter>,
}

impl FilterSet {
    /// A set with `locked` filters that every operation keeps, and initial user filters.
    pub fn new(locked: Vec<Filter>, initial: Vec<Filter>) -> Self {
        let mut set = Self {
            locked,
            user: Vec::new(),
        };
        for filter in initial {
            let _ = set.apply(FilterChange::Set(filter));
        }
        set
    }

    /// Applies `op`.
    ///
    /// # Errors
    /// [`FilterError::Locked`] when the operation would change or remove a locked filter; the
    /// set is left unchanged.
    pub fn apply(&mut self, op: FilterChange) -> Result<(), FilterError> {
        match op {
            FilterChange::Set(filter) => {
                self.ensure_unlocked(&filter.field)?;
                self.user.retain(|f| f.field != filter.field);
                self.user.push(filter);
            }
            FilterChange::Remove(field) => {
                self.ensure_unlocked(&field)?;
                self.user.retain(|f| f.field != field);
            }
            FilterChange::Clear => self.user.clear(),
        }
        Ok(())
    }

    /// Applies several operations atomically: all or nothing.
    ///
    /// # Errors
    /// The first refused operation; nothing is applied then.
    pub fn apply_all(&mut self, ops: Vec<FilterChange>) -> Result<(), FilterError> {
        let mut next = self.clone();
        for op in ops {
            next.apply(op)?;
        }
        *self = next;
        Ok(())
    }

    fn ensure_unlocked(&self, field: &str) -> Result<(), FilterError> {
        if self.locked.iter().any(|f| f.field == field) {
            return Err(FilterError::Locked(field.to_owned()));
        }
        Ok(())
    }

    /// Every filter to send with queries: locked first.
    pub fn effective(&self) -> Vec<Filter> {
        self.locked.iter().chain(&self.user).cloned().collect()
    }

    /// The viewer's own filters.
    pub fn user(&self) -> &[Filter] {
        &self.user
    }

    /// The locked filters.
    pub fn locked(&self) -> &[Filter] {
        &self.locked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eq(field: &str, value: &str) -> Filter {
        Filter::eq(field, json!(value))
    }

    #[test]
    fn set_replaces_per_field_and_remove_and_clear_work() {
        let mut set = FilterSet::new(vec![], vec![eq("intent", "billing")]);
        set.apply(FilterChange::Set(eq("intent", "claims")))
            .unwrap();
        set.apply(FilterChange::Set(eq("status", "INVALID")))
            .unwrap();
        assert_eq!(
            set.effective(),
            vec![eq("intent", "claims"), eq("status", "INVALID")]
        );
        set.apply(FilterChange::Remove("intent".into())).unwrap();
        assert_eq!(set.effective(), vec![eq("status", "INVALID")]);
        set.apply(FilterChange::Clear).unwrap();
        assert!(set.effective().is_empty());
    }

    #[test]
    fn locked_filters_survive_every_operation() {
        let locked = eq("region", "eu");
        let mut set = FilterSet::new(
            vec![locked.clone()],
            vec![eq("region", "us"), eq("intent", "x")],
        );
        assert_eq!(
            set.effective(),
            vec![locked.clone(), eq("intent", "x")],
            "initial filters cannot override"
        );
        assert_eq!(
            set.apply(FilterChange::Remove("region".into())),
            Err(FilterError::Locked("region".into()))
        );
        assert!(set.apply(FilterChange::Set(eq("region", "us"))).is_err());
        set.apply(FilterChange::Clear).unwrap();
        assert_eq!(set.effective(), vec![locked.clone()]);
        let before = set.clone();
        let err = set.apply_all(vec![
            FilterChange::Set(eq("intent", "y")),
            FilterChange::Remove("region".into()),
        ]);
        assert!(err.is_err());
        assert_eq!(set, before, "a refused batch changes nothing");
    }
}
