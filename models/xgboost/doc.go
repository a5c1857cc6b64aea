// Package xgboost evaluates XGBoost tree models in process.
//
// It reads XGBoost's own model formats, JSON (model.json) and Universal
// Binary JSON (model.ubj, the default of XGBoost 2.1 and later), as written
// by Booster.save_model in XGBoost 1.0 and later, and predicts the same
// numbers XGBoost's predict does: splits compare float32 feature values with
// float32 thresholds (x < threshold goes left, NaN follows default_left),
// leaf values are summed in float32 in tree order starting from base_score
// turned into a margin, and the objective's transform (sigmoid, softmax) is
// applied in float32.
//
// base_score is read as XGBoost 1.x writes it ("5E-1") and as 2.x and
// later do ("[5E-1]", or one value per class); like XGBoost, it is stored in
// the objective's output space and turned into a margin when loaded: the
// logit for binary:logistic and reg:logistic, as is for every other
// supported objective (binary:logitraw included).
//
// Supported: boosters gbtree and dart (each tree weighted by its
// weight_drop, as XGBoost's predict does); objectives binary:logistic,
// reg:logistic (probabilities), binary:logitraw (margins),
// reg:squarederror and its old name reg:linear, and multi:softprob
// (per-class probabilities). multi:softmax is rejected because its predict
// output is a class index rather than probabilities; the same trees saved
// with objective multi:softprob load fine. gblinear boosters, categorical
// splits, vector-leaf (multi_output_tree) models, multi-target regression,
// models of more than 2^20 features and every other objective are rejected
// with an input error that names the model file, never evaluated into a
// wrong number.
//
// Every tree is validated when loaded (children in range, no node reached
// twice, split features below num_feature), then the forest is flattened
// into one array of 12-byte nodes in breadth-first order, the two children
// of a node side by side. Prediction walks blocks of 64 rows through one
// tree at a time, 8 rows abreast, a fixed number of branch-free steps per
// tree (leaves lead back to themselves), without allocating.
//
// Like Booster.predict, every tree in the model is used, also for models
// trained with early stopping; BestIteration reports the stored
// best_iteration and Truncate limits a Booster to its first rounds
// (predict's iteration_range).
//
// Booster scores dense float64 rows; Model adapts a Booster to
// models.Model over Arrow record batches.
package xgboost
