// TODO(owner): see DESIGN.md; placeholder so the build has every listed source.
