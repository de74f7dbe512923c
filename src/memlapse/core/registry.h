#pragma once
// Registries (STYLE.md habit 2): each layer lists its implementations in one builtin.cpp, each
// with a name, a one-line description, a parameter schema, the factory that builds it from
// schema-checked values, and optional tags (for fault models: the memory technologies they
// describe). Lookup, validation, construction and `memlapse describe` all go through here, so no
// layer writes its own name if-chain.
// Example:
//   const Registry<std::unique_ptr<Format>>& r = format_registry();
//   std::unique_ptr<Format> f = r.make("fixed", {{"bits", "4"}});  // Error: unknown name/key, bad value
//   ctx.out << describe_entries("formats", r.entries());
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "memlapse/core/schema.h"

namespace memlapse {

template <class Product>
struct Implementation {
  RegistryEntry entry;  // name, description, schema, tags
  // Contract: builds the product from values resolved by entry.schema; throws Error (naming
  // values.owner()) for combinations the schema cannot express.
  std::function<Product(const ParamValues&)> make;
};

template <class Product>
class Registry {
 public:
  // `what` names the layer's kind in messages ("format", "fault model"); `hint` is appended to
  // the unknown-name error (e.g. what else a flag accepts).
  Registry(std::string what, std::vector<Implementation<Product>> impls, std::string hint = "")
      : what_(std::move(what)), hint_(std::move(hint)), impls_(std::move(impls)) {
    for (const auto& i : impls_) entries_.push_back(i.entry);
  }
  const std::string& what() const { return what_; }
  // Contract: the type-erased entries in registration order (for describe and the CLI).
  const std::vector<RegistryEntry>& entries() const { return entries_; }
  // Contract: the implementation named `name`; Error "unknown <what> ..." with a suggestion.
  const Implementation<Product>& find(const std::string& name) const {
    const RegistryEntry& e = find_registry_entry(entries_, name, what_, hint_);
    return impls_[static_cast<std::size_t>(&e - entries_.data())];
  }
  bool contains(const std::string& name) const {
    for (const auto& e : entries_) if (e.name == name) return true;
    return false;
  }
  // Contract: the parameters of `name` resolved by its schema (owner "<what> <name>").
  ParamValues resolve(const std::string& name, const std::map<std::string, std::string>& params) const {
    return find(name).entry.schema.resolve(params, what_ + " " + name);
  }
  // Contract: find(name).make(resolve(name, params)).
  Product make(const std::string& name, const std::map<std::string, std::string>& params) const {
    return find(name).make(resolve(name, params));
  }

 private:
  std::string what_, hint_;
  std::vector<Implementation<Product>> impls_;
  std::vector<RegistryEntry> entries_;
};

}  // namespace memlapse
