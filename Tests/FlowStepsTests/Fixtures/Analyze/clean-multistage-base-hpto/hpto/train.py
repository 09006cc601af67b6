import optuna


def objective(trial):
    return trial.suggest_float("lr", 1e-5, 1e-3, log=True)


if __name__ == "__main__":
    optuna.create_study().optimize(objective, n_trials=4)
