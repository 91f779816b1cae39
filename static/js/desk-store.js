// The offline café desk's storage on the tablet (IndexedDB): store "desk" (per café: first
// name, last name and street of the people, for the check-in search; who is present; counts)
// and store "queue" (the actions not accepted by the site yet). Used by desk-offline.js.
(function () {
  "use strict";
  window.CoopereDeskStore = function (DB_NAME, CACHE) {
    var dbPromise = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("desk", { keyPath: "event" });
        db.createObjectStore("queue", { keyPath: "key" }).createIndex("event", "event");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    function tx(stores, mode, work) {
      return dbPromise.then(function (db) {
        return new Promise(function (resolve, reject) {
          var transaction = db.transaction(stores, mode);
          var result = work(transaction);
          transaction.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
          transaction.onerror = function () { reject(transaction.error); };
        });
      });
    }
    function allOf(store) {
      return tx([store], "readonly", function (transaction) { return transaction.objectStore(store).getAll(); });
    }
    function put(store, value) {
      return tx([store], "readwrite", function (transaction) { transaction.objectStore(store).put(value); });
    }
    function remove(store, key) {
      return tx([store], "readwrite", function (transaction) { transaction.objectStore(store).delete(key); });
    }

    function forgetEverything() {
      return dbPromise.then(function (db) {
        db.close();
        return new Promise(function (resolve) {
          var request = indexedDB.deleteDatabase(DB_NAME);
          request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
        });
      }).then(function () { return window.caches ? caches.delete(CACHE) : null; })
        .then(function () {
          dbPromise = Promise.reject(new Error("erased"));
          dbPromise.catch(function () { return null; });
        });
    }

    return { tx: tx, allOf: allOf, put: put, remove: remove, forgetEverything: forgetEverything };
  };
})();
